from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("join/", views.join, name="join"),
    path("profile/", views.profile, name="profile"),
    path("leave/", views.leave, name="leave"),
    path("suggestions/", views.suggestions, name="suggestions"),
]

# --- 交友 alone: single talents who are not members (matching/alone_views.py) ----------------------
from . import alone_views  # noqa: E402

urlpatterns += [
    path("alone/join/", alone_views.alone_join, name="alone_join"),
    path("alone/profile/", alone_views.alone_profile, name="alone_profile"),
]

# --- Safety: block, the blocked list, report (matching.safety_views) ---
from . import safety_views  # noqa: E402

urlpatterns += [
    path("block/<int:profile_id>/", safety_views.block, name="block"),
    path("blocked/", safety_views.blocked, name="blocked"),
    path("blocked/<int:block_id>/unblock/", safety_views.unblock, name="unblock"),
    path("report/<int:profile_id>/", safety_views.report, name="report"),
]
