from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("directory/", views.directory, name="directory"),
    path("privacy/", views.privacy, name="privacy"),
    path("password/reset-by-sms/", views.phone_reset_request, name="phone_reset"),
    path("password/reset-by-sms/confirm/", views.phone_reset_confirm, name="phone_reset_confirm"),
]
