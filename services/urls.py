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


# --- Service requests (相链她科企) ------------------------------------------------------------------
# Placed before the inbox's patterns: "<str:reference>/" would otherwise take "requests/" for a ticket.
from . import request_views  # noqa: E402

_ORGANISATION = "requests/organisation/<int:organisation>/"
urlpatterns = [
    path("requests/", request_views.request_list, name="requests"),
    path("requests/digest/", request_views.digest_settings, name="request_digest"),
    path("requests/digest/stop/<str:token>/", request_views.digest_stop, name="request_digest_stop"),
    path("requests/<int:pk>/", request_views.request_detail, name="request"),
    path("requests/<int:pk>/respond/", request_views.request_respond, name="request_respond"),
    path(_ORGANISATION, request_views.organisation_requests, name="organisation_requests"),
    path(_ORGANISATION + "new/", request_views.organisation_request_new, name="organisation_request_new"),
    path(_ORGANISATION + "<int:pk>/", request_views.organisation_request, name="organisation_request"),
    path(_ORGANISATION + "<int:pk>/edit/", request_views.organisation_request_edit, name="organisation_request_edit"),
    path(_ORGANISATION + "<int:pk>/submit/", request_views.organisation_request_submit,
         name="organisation_request_submit"),
    path(_ORGANISATION + "<int:pk>/close/", request_views.organisation_request_close, name="organisation_request_close"),
    path(_ORGANISATION + "<int:pk>/responses/<int:response>/accept/", request_views.response_accept,
         name="request_response_accept"),
    path(_ORGANISATION + "<int:pk>/responses/<int:response>/decline/", request_views.response_decline,
         name="request_response_decline"),
    *urlpatterns,
]
