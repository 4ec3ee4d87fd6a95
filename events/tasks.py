from celery import shared_task

from . import outbox, reminders


@shared_task
def deliver_notification(*, notification_id: int) -> bool:
    return outbox.deliver(notification_id=notification_id)


@shared_task
def scan_reminders() -> int:
    return reminders.reminders_scan()


@shared_task
def deliver_unsent() -> int:
    return outbox.deliver_unsent()
