from celery import shared_task


@shared_task
def clean_stale_unverified_accounts() -> tuple[int, int]:
    from .phone_numbers import stale_unverified_accounts_clean

    return stale_unverified_accounts_clean()


# --- 注销账号: the erasure of a deleted account, and the scan that takes any left waiting --------
@shared_task
def erase_account(*, user_id: int) -> bool:
    from .erasure import account_erase

    return account_erase(user_id=user_id)


@shared_task
def erase_waiting_accounts() -> int:
    from .erasure import erasures_run

    return erasures_run()
