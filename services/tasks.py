from celery import shared_task


@shared_task
def send_daily_digest() -> int:
    from .digest import digest_send

    return digest_send()
