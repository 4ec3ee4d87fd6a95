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
