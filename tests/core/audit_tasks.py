"""A task for the audit trail's worker test. It changes a tracked row with a bare ORM update and
says nothing about auditing: whatever context its event carries, the worker gave it."""

from celery import shared_task


@shared_task
def deactivate_account(*, user_id: int) -> int:
    from members.models import User

    return User.objects.filter(pk=user_id).update(is_active=False)
