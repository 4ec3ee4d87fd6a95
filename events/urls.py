from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.programme_list, name="programmes"),
    path("<slug:slug>/", views.programme_detail, name="programme"),
]
