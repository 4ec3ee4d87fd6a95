"""The Celery application: reminders, notifications and periodic scans run here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangcheng.settings.local")

app = Celery("xiangcheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
