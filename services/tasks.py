from celery import shared_task

from . import digest, notices


@shared_task
def deliver_notice(*, notice_id: int) -> bool:
    return notices.deliver(notice_id=notice_id)


@shared_task
def deliver_unsent_notices() -> int:
    return notices.deliver_unsent()


@shared_task
def send_daily_digest() -> int:
    return digest.digest_send()
