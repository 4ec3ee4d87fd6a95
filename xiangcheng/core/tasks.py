"""The outbox's two tasks: deliver one notice; retry whatever was left behind (beat)."""

from celery import shared_task


@shared_task
def deliver_notice(*, notice_id: int) -> bool:
    from .outbox import deliver

    return deliver(notice_id=notice_id)


@shared_task
def retry_unsent_notices() -> int:
    from .outbox import retry_unsent

    return retry_unsent()
