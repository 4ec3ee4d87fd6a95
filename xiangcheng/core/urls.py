from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("colours.css", views.programme_colours, name="colours"),
    path("<slug:slug>/", views.programme_detail, name="detail"),
]
