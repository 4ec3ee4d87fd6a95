from celery import shared_task


@shared_task
def scan_reminders() -> int:
    from .reminders import reminders_scan

    return reminders_scan()
