from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("directory/", views.directory, name="directory"),
    path("privacy/", views.privacy, name="privacy"),
]
