from celery import shared_task


@shared_task
def clean_stale_unverified_accounts() -> tuple[int, int]:
    from .phone_numbers import stale_unverified_accounts_clean

    return stale_unverified_accounts_clean()
