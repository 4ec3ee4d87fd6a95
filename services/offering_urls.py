from django.urls import path

from . import offering_views as views

app_name = "offerings"
urlpatterns = [
    path("", views.offering_list, name="list"),
    path("bookings/", views.my_bookings, name="mine"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="cancel"),
    path("slots/<int:pk>/book/", views.slot_book, name="book"),
    path("<int:pk>/", views.offering_detail, name="detail"),
    path("<int:pk>/appointment/", views.appointment_new, name="appointment"),
]
