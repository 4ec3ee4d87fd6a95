"""The retention job: personal data is kept only as long as it serves its purpose (PIPL).

Each app registers, once in its AppConfig's ``ready``, what it purges: a key, the entry of
``settings.RETENTION`` holding the period in days, and the dotted path of a function
``purge(*, before: datetime) -> int`` that deletes its rows finished before that moment and
returns how many it deleted. The kernel knows no app:

    retention_purge(key="declined_job_applications", period="declined_job_applications_days",
                    purge="services.retention.declined_job_applications_purge", label=_("…"))

A nightly beat task (``xiangcheng.core.tasks.run_retention``) runs every purge in order, each in
an audit context naming the retention job and the period, and logs how many rows each removed.
A purge that fails is logged and the others still run; the task then fails, so it is seen.

``rows_delete`` is the one way a purge deletes: in batches, each its own transaction, taking the
rows with ``FOR UPDATE SKIP LOCKED`` (so a row being changed right now is re-read by the
filter under its lock, or left for the next night) and deleting the files the rows name only
after that transaction commits. Audit rows are never purged: deleting an audited row writes its
``deleted`` event, and the events of other objects stay as they were.

The kernel's own purge: outbox notices that are finished (sent, skipped or failed) and older than
``RETENTION["notices_days"]``; pending ones are never touched. A notice's key makes it unique,
so the period must outlast every scan that could write the same key again (reminders look
hours ahead, digests a week: the 180-day default is far beyond them).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .audit import audit_context

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Purge:
    key: str
    period: str  # the entry of settings.RETENTION with the days
    purge: str  # dotted path of purge(*, before: datetime) -> int
    label: object  # what it removes, lazily translated
    order: int = 100


class RetentionError(Exception):
    """One or more purges failed; each is logged with its error."""


_purges: dict[str, Purge] = {}


def retention_purge(*, key: str, period: str, purge: str, label, order: int = 100) -> None:
    """Register what an app purges (once, at start-up)."""
    _purges[key] = Purge(key=key, period=period, purge=purge, label=label, order=order)


def retention_purges() -> list[Purge]:
    return sorted(_purges.values(), key=lambda p: (p.order, p.key))


def period_days(period: str) -> int:
    """The days ``settings.RETENTION[period]`` keeps a finished row."""
    try:
        days = int(settings.RETENTION[period])
    except KeyError:
        raise ImproperlyConfigured(f"RETENTION has no {period!r}: add it to the settings.") from None
    if days < 1:
        raise ImproperlyConfigured(f"RETENTION[{period!r}] is {days}: a period is at least one day.")
    return days


def retention_run(*, now: datetime | None = None) -> dict[str, int]:
    """Run every registered purge; returns the rows each removed."""
    now = now or timezone.now()
    removed: dict[str, int] = {}
    failed: list[str] = []
    for purge in retention_purges():
        days = period_days(purge.period)
        reason = _("Retention: %(what)s older than %(days)d days") % {"what": purge.label, "days": days}
        try:
            with audit_context(reason=reason, retention=purge.key):
                removed[purge.key] = import_string(purge.purge)(before=now - timedelta(days=days))
        except Exception:
            logger.exception("Retention %s failed", purge.key)
            failed.append(purge.key)
            continue
        logger.info("Retention %s: %d rows older than %d days removed", purge.key, removed[purge.key], days)
    if failed:
        raise RetentionError(f"Retention purges failed: {', '.join(failed)}")
    return removed


def _files_delete(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Retention: could not delete the file %s", name, exc_info=True)


def rows_delete(*, queryset: QuerySet, files: Callable[[list[int]], Iterable[tuple[Storage, str]]] | None = None,
                batch: int = BATCH) -> int:
    """Delete the rows of ``queryset`` (and what cascades from them) in batches; ``files(pks)``
    names the stored files of a batch's rows, deleted once its transaction has committed.
    Returns how many rows of the queryset's model were deleted."""
    model = queryset.model
    removed = 0
    while True:
        with transaction.atomic():
            pks = list(queryset.select_for_update(skip_locked=True, of=("self",))
                       .order_by("pk").values_list("pk", flat=True)[:batch])
            if not pks:
                return removed
            doomed = [(storage, name) for storage, name in (files(pks) if files else []) if name]
            _, per_model = model.objects.filter(pk__in=pks).delete()
            if not per_model.get(model._meta.label):
                return removed  # nothing could be deleted: never spin on the same rows
            removed += per_model[model._meta.label]
            if doomed:
                transaction.on_commit(partial(_files_delete, doomed))


def notices_purge(*, before: datetime) -> int:
    """Outbox rows finished (sent, skipped, failed) and written before ``before``."""
    from .models import Notice

    finished = [Notice.State.SENT, Notice.State.SKIPPED, Notice.State.FAILED]
    return rows_delete(queryset=Notice.objects.filter(state__in=finished, created_at__lt=before))
