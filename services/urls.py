from django.urls import include, path

from . import job_views, request_views, views

app_name = "services"
inbox_urlpatterns = [
    path("", views.ticket_list, name="tickets"),
    path("new/", views.ticket_new, name="new"),
    path("<str:reference>/", views.ticket_detail, name="ticket"),
    path("<str:reference>/reply/", views.ticket_reply, name="reply"),
    path("<str:reference>/close/", views.ticket_close, name="close"),
    path("<str:reference>/reopen/", views.ticket_reopen, name="reopen"),
    path("<str:reference>/rate/", views.ticket_rate, name="rate"),
    path("<str:reference>/files/<int:pk>/", views.attachment_download, name="attachment"),
]
urlpatterns = [path("inbox/", include(inbox_urlpatterns))]

# --- Jobs (新城招聘) ---------------------------------------------------------------------------------
urlpatterns += [
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/mine/", job_views.my_applications, name="my_applications"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>/apply/", job_views.job_apply, name="job_apply"),
    path("jobs/cv/<path:name>", job_views.job_cv, name="job_cv"),
    path("jobs/applications/<int:pk>/status/", job_views.application_status, name="application_status"),
    path("jobs/organisation/<int:pk>/", job_views.organisation_jobs, name="organisation_jobs"),
    path("jobs/organisation/<int:pk>/new/", job_views.job_new, name="job_new"),
    path("jobs/organisation/<int:organisation_pk>/<int:pk>/edit/", job_views.job_edit, name="job_edit"),
    path("jobs/organisation/<int:organisation_pk>/<int:pk>/submit/", job_views.job_submit, name="job_submit"),
    path("jobs/organisation/<int:organisation_pk>/<int:pk>/close/", job_views.job_close, name="job_close"),
    path("jobs/organisation/<int:organisation_pk>/<int:pk>/applications/", job_views.job_applications,
         name="job_applications"),
]

# --- Service requests (相链她科企) ------------------------------------------------------------------
_ORGANISATION = "requests/organisation/<int:organisation>/"
urlpatterns += [
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
]

# --- Calls (相创她数智): the list, a call's page, applying and 我的申报 -----------------------------
from . import call_views  # noqa: E402

urlpatterns += [
    path("calls/", call_views.call_list, name="calls"),
    path("calls/mine/", call_views.my_calls, name="my_calls"),
    path("calls/<int:pk>/", call_views.call_detail, name="call"),
    path("calls/<int:pk>/apply/", call_views.call_apply, name="call_apply"),
    path("calls/applications/<int:pk>/", call_views.call_application, name="call_application"),
    path("calls/applications/<int:pk>/withdraw/", call_views.call_withdraw, name="call_withdraw"),
    path("calls/files/<int:pk>/", call_views.call_attachment, name="call_attachment"),
    path("calls/files/<int:pk>/delete/", call_views.call_attachment_delete, name="call_attachment_delete"),
]

# --- Calls: what a member follows, and the announcement email's stop link ---------------------------
from . import call_follow_views  # noqa: E402

urlpatterns += [
    path("calls/following/", call_follow_views.following, name="call_following"),
    path("calls/following/stop/<str:token>/", call_follow_views.following_stop, name="call_following_stop"),
]
