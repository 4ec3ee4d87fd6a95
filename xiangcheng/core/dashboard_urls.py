from django.urls import path

from . import dashboard_views

app_name = "dashboard"
urlpatterns = [
    path("", dashboard_views.dashboard, name="index"),
    path("reports/", dashboard_views.report_new, name="report_new"),
    path("reports/<int:pk>/", dashboard_views.report_detail, name="report"),
    path("reports/<int:pk>/file/", dashboard_views.report_file, name="report_file"),
]
