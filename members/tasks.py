from celery import shared_task


@shared_task
def clean_stale_unverified_accounts() -> tuple[int, int]:
    from .phone_numbers import stale_unverified_accounts_clean

    return stale_unverified_accounts_clean()


# --- 我的数据: building the export of her personal data (data_exports.py) --------------------------

@shared_task
def build_data_export(*, export_id: int) -> str:
    from .data_exports import export_build

    return export_build(export_id=export_id)


# --- 注销账号: the erasure of a deleted account, and the scan that takes any left waiting --------
@shared_task
def erase_account(*, user_id: int) -> bool:
    from .erasure import account_erase

    return account_erase(user_id=user_id)


@shared_task
def erase_waiting_accounts() -> int:
    from .erasure import erasures_run

    return erasures_run()
