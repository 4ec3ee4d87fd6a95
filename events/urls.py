from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/past/", views.event_list, {"past": True}, name="past"),
    path("events/mine/", views.my_events, name="mine"),
    path("events/<int:pk>/", views.event_detail, name="detail"),
    path("events/<int:pk>/sign-up/", views.event_sign_up, name="sign_up"),
    path("events/<int:pk>/calendar.ics", views.event_ics, name="ics"),
    path("events/<int:pk>/check-in/", views.checkin_list, name="checkin_list"),
    path("events/registrations/<int:pk>/cancel/", views.registration_cancel, name="cancel"),
    path("events/registrations/<int:pk>/ticket/", views.registration_ticket, name="ticket"),
    path("events/feed/<str:token>.ics", views.feed, name="feed"),
    path("events/feed/reset/", views.feed_reset, name="feed_reset"),
    path("events/check-in/<str:token>/", views.checkin_scan, name="checkin"),
]
