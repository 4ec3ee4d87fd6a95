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
