"""The Celery application: reminders, notifications and periodic scans run here."""

from celery import Celery

from .settings import settings_module_default

settings_module_default()

app = Celery("xiangcheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
