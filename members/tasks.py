from celery import shared_task

from .models import ReviewDecision
from .notices import review_notice_send


@shared_task
def send_review_notice(*, decision_id: int) -> None:
    decision = ReviewDecision.objects.select_related("profile__user").filter(pk=decision_id).first()
    if decision is not None:
        review_notice_send(decision=decision)
