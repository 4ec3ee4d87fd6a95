from celery import shared_task


@shared_task
def send_daily_digest() -> int:
    from .digest import digest_send

    return digest_send()


# --- Jobs (新城招聘) ---------------------------------------------------------------------------------

@shared_task
def close_past_jobs() -> int:
    """Close every published job whose last day to apply has passed (beat, hourly)."""
    from .jobs import jobs_close_past

    return jobs_close_past()



# --- Service requests (相链她科企) -------------------------------------------------------------------
@shared_task
def expire_service_requests() -> int:
    from .requests import requests_expire

    return requests_expire()


@shared_task
def send_request_digest() -> int:
    from .request_digest import digest_send

    return digest_send()


# --- Calls (相创她数智): reminders and announcements, each notice once (the outbox's keys) -----------
@shared_task
def remind_unsubmitted_call_applications() -> int:
    from .call_reminders import remind_unsubmitted

    return remind_unsubmitted()


@shared_task
def remind_call_reviewers() -> int:
    from .call_reminders import remind_reviewers

    return remind_reviewers()


@shared_task
def announce_opened_calls() -> int:
    from .call_follows import announce_opened

    return announce_opened()
