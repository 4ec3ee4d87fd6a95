from django.urls import path

from . import introduction_views, views

app_name = "matching"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("join/", views.join, name="join"),
    path("profile/", views.profile, name="profile"),
    path("leave/", views.leave, name="leave"),
    path("suggestions/", views.suggestions, name="suggestions"),
    # Introductions: a 相遇 request to a suggested participant, 我的相遇, answering and withdrawing.
    path("request/<int:profile_id>/", introduction_views.request_new, name="request"),
    path("introductions/", introduction_views.introductions, name="introductions"),
    path("introductions/<int:pk>/accept/", introduction_views.accept, name="introduction_accept"),
    path("introductions/<int:pk>/decline/", introduction_views.decline, name="introduction_decline"),
    path("introductions/<int:pk>/withdraw/", introduction_views.withdraw, name="introduction_withdraw"),
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
