from django.urls import path

from . import views

app_name = "services"
urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_new, name="new"),
    path("<str:reference>/", views.ticket_detail, name="ticket"),
    path("<str:reference>/reply/", views.ticket_reply, name="reply"),
    path("<str:reference>/close/", views.ticket_close, name="close"),
    path("<str:reference>/reopen/", views.ticket_reopen, name="reopen"),
    path("<str:reference>/rate/", views.ticket_rate, name="rate"),
    path("<str:reference>/files/<int:pk>/", views.attachment_download, name="attachment"),
]
