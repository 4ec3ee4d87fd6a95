from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("read/", views.notices_mark_read, name="read_all"),
    path("<int:pk>/", views.notice_detail, name="detail"),
]
