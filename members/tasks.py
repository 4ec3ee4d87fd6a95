from celery import shared_task

from .notices import review_notice_deliver, review_notices_retry


@shared_task
def send_review_notice(*, decision_id: int) -> bool:
    return review_notice_deliver(decision_id=decision_id)


@shared_task
def retry_review_notices() -> int:
    return review_notices_retry()


@shared_task
def clean_stale_unverified_accounts() -> tuple[int, int]:
    from .phone_numbers import stale_unverified_accounts_clean

    return stale_unverified_accounts_clean()
