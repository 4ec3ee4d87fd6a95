"""遇见's background work, all on the ``matching`` queue: her suggestions after she changes her
profile, and everyone's each night in chunks."""

from celery import shared_task


@shared_task
def refresh_suggestions(profile_id: int) -> int:
    from .models import MatchProfile
    from .suggestions import suggestions_refresh

    profile = MatchProfile.objects.filter(pk=profile_id).first()
    return suggestions_refresh(profile=profile) if profile else 0


@shared_task
def refresh_suggestions_chunk(profile_ids: list[int]) -> int:
    from .suggestions import suggestions_refresh_many

    return suggestions_refresh_many(profile_ids=profile_ids)


@shared_task
def refresh_all_suggestions() -> int:
    """Nightly: one chunk task per REFRESH_CHUNK active profiles; the number of chunks queued."""
    from .suggestions import active_profile_chunks

    chunks = active_profile_chunks()
    for chunk in chunks:
        refresh_suggestions_chunk.delay(chunk)
    return len(chunks)


# --- Introductions ---------------------------------------------------------------------------

@shared_task
def expire_introductions() -> int:
    """Hourly: requests not accepted within 14 days are recorded as expired (one UPDATE)."""
    from .introductions import introductions_expire

    return introductions_expire()
