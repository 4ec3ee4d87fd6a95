"""我的数据: she downloads everything the portal holds about her as a ZIP (PIPL).

She asks on her 我的数据 page (``export_request``): a ``DataExport`` row is written and, after
commit, the ``build_data_export`` task (on the reports queue) claims it and writes one JSON file
per registered source (``members.data_sources``: each app says what it keeps about her) and her
stored files under ``files/<source>/``, moving the row's ``progress`` on after each source. The
ZIP is kept in the private storage; the outbox tells her when it is ready. She — and nobody else
— downloads it until the link expires (``link_expired``, the one rule the page, the download and
the clean-up ask); each download is in the audit trail. One export waits or is built at a time
(a partial unique constraint holds it). The link lasts ``RETENTION["data_exports_days"]`` days;
the nightly retention job then deletes the row and its file (``data_exports_purge``).
"""

import json
import logging
import shutil
import tempfile
import zipfile
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.audit import EXPORTED, audit_context, record_access
from xiangcheng.core.compiled_queries import CompiledQuery
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify
from xiangcheng.core.retention import period_days, rows_delete

from .data_sources import data_sources, json_value
from .models import DataExport, DataExportStatus, User

logger = logging.getLogger(__name__)

BUILD_TASK = "members.tasks.build_data_export"
# An export still waiting or being built after this long is taken as lost (a worker died):
# she may ask again.
BUILD_TIMEOUT = timedelta(hours=1)

Status = DataExportStatus


class DataExportError(Exception):
    """An export that cannot be asked for or downloaded now; the message is for her."""


# --- the one expiry rule ----------------------------------------------------------------------------

def link_lifetime() -> timedelta:
    """How long a finished export may be downloaded (the retention period of exports)."""
    return timedelta(days=period_days("data_exports_days"))


def link_expired(*, export: DataExport, now: datetime | None = None) -> bool:
    """Whether the export's download link no longer works."""
    return export.expires_at is not None and export.expires_at <= (now or timezone.now())


def export_downloadable(*, export: DataExport, now: datetime | None = None) -> bool:
    return export.status == Status.READY and bool(export.file) and not link_expired(export=export, now=now)


def export_waiting(export: DataExport) -> bool:
    return export.status in (Status.QUEUED, Status.BUILDING)


# --- asking --------------------------------------------------------------------------------------------

_EXPORTS_OF = CompiledQuery(lambda user_id: DataExport.objects.filter(user_id=user_id).order_by("-created_at", "-pk"),
                            user_id=int)


def export_current(*, user: User) -> DataExport | None:
    """Her latest export, the one her page shows (its SQL built once per process)."""
    latest = _EXPORTS_OF.listing(user_id=user.pk)[0:1]
    return latest[0] if latest else None


def _lost_fail(*, user: User, now: datetime) -> None:
    lost = DataExport.objects.filter(user=user, status__in=[Status.QUEUED, Status.BUILDING],
                                     created_at__lte=now - BUILD_TIMEOUT)
    for export in lost.select_for_update():
        export.status = Status.FAILED
        export.save(update_fields=["status"])


def export_request(*, user: User) -> DataExport:
    """Write her export's row and enqueue its building after commit; one at a time."""
    try:
        with transaction.atomic(), audit_context(actor=user):
            _lost_fail(user=user, now=timezone.now())
            export = DataExport.objects.create(user=user)
    except IntegrityError:
        # The partial unique constraint: one of hers is already waiting or being built.
        raise DataExportError(_("Your data are already being prepared. Wait until they are ready.")) from None
    transaction.on_commit(lambda: current_app.tasks[BUILD_TASK].delay(export_id=export.pk), robust=True)
    return export


# --- building ------------------------------------------------------------------------------------------

def _claim(export_id: int) -> DataExport | None:
    with transaction.atomic():
        export = (DataExport.objects.select_for_update(skip_locked=True).select_related("user")
                  .filter(pk=export_id, status=Status.QUEUED).first())
        if export is None:
            return None
        export.status = Status.BUILDING
        export.save(update_fields=["status"])
    return export


def _progress(export: DataExport, done: int, total: int) -> None:
    export.progress = min(99, done * 100 // total)
    DataExport.objects.filter(pk=export.pk).update(progress=export.progress)


def json_bytes(data: Any) -> bytes:
    """UTF-8 JSON as a person reads it: Chinese as written, times in Xiangcheng with their offset."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=json_value).encode("utf-8")


def archive_write(*, user: User, archive: zipfile.ZipFile, export: DataExport | None = None) -> list[dict]:
    """Write every source's JSON and files of hers into ``archive``; returns what was written."""
    sources = data_sources()
    written = []
    for done, source in enumerate(sources, start=1):
        data, files = source.collect(user)
        archive.writestr(f"{source.key}.json", json_bytes(data))
        names = []
        for item in files:
            name = f"files/{source.key}/{item.name}"
            try:
                with item.file.open("rb") as stored, archive.open(name, "w") as copy:
                    shutil.copyfileobj(stored, copy)
            except FileNotFoundError:
                logger.warning("data export: %s of source %s is missing from storage", item.file.name, source.key)
                continue
            names.append(name)
        written.append({"file": f"{source.key}.json", "title": str(source.label), "files": names})
        if export is not None:
            _progress(export, done, len(sources) + 1)
    return written


def export_build(*, export_id: int) -> str:
    """Build a waiting export (a second run finds nothing to do). Returns what happened."""
    export = _claim(export_id)
    if export is None:
        return "nothing to build"
    try:
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as out:
            with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                written = archive_write(user=export.user, archive=archive, export=export)
                archive.writestr("export.json", json_bytes({
                    "title": gettext("Your personal data on the portal"),
                    "account": export.user.get_username(),
                    "requested_at": export.created_at,
                    "built_at": timezone.now(),
                    "contents": written,
                }))
            size = out.tell()
            out.seek(0)
            with transaction.atomic():
                export.file.save(f"{export.pk}.zip", File(out), save=False)
                now = timezone.now()
                export.status, export.progress, export.size = Status.READY, 100, size
                export.finished_at, export.expires_at = now, now + link_lifetime()
                export.save(update_fields=["file", "status", "progress", "size", "finished_at", "expires_at"])
                notify(kind=READY, recipient=export.user, key=str(export.pk), target=export)
    except Exception:
        logger.exception("data export %s could not be built", export.pk)
        DataExport.objects.filter(pk=export.pk).update(status=Status.FAILED)
        raise
    return "ready"


# --- downloading ---------------------------------------------------------------------------------------

def export_for(*, pk: int, user: User) -> DataExport | None:
    """Her export, or None: another member's is not hers to see (the download answers 404)."""
    return DataExport.objects.filter(pk=pk, user=user).first()


def export_open(*, export: DataExport, user: User):
    """The ZIP opened for reading, the download recorded in the audit trail; ``DataExportError``
    once the link has expired."""
    if not export_downloadable(export=export):
        raise DataExportError(_("This download link has expired. Ask for your data again."))
    stored = export.file.open("rb")
    record_access(export, label=EXPORTED, actor=user, what=gettext_noop("personal data export"), format="zip")
    return stored


def export_filename(export: DataExport) -> str:
    return f"my-data-{timezone.localtime(export.finished_at):%Y%m%d}.zip"


# --- the retention job ---------------------------------------------------------------------------------

def data_exports_purge(*, before: datetime) -> int:
    """Exports finished (or failed, or lost) before ``before``, with their files: by then their
    link has expired. Registered with the retention job."""
    stale = DataExport.objects.filter(Q(finished_at__lt=before) | Q(finished_at__isnull=True, created_at__lt=before))

    def files(pks: list[int]):
        storage = DataExport._meta.get_field("file").storage
        return [(storage, name) for name in DataExport.objects.filter(pk__in=pks).values_list("file", flat=True)]

    return rows_delete(queryset=stale, files=files)


# --- the notice ----------------------------------------------------------------------------------------

def _compose(notice: Notice) -> Message:
    export = DataExport.objects.get(pk=notice.target_id)
    url = reverse("members:my_data")
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your personal data are ready to download")
        body = gettext("The copy of your personal data you asked for is ready. Download it from 我的数据 by "
                       "%(until)s: %(url)s") % {
            "url": settings.SITE_URL + url,
            "until": timezone.localtime(export.expires_at).strftime("%Y-%m-%d %H:%M")}
    return Message(subject=subject, body=body, url=url)


def _applies(notice: Notice) -> bool:
    export = DataExport.objects.filter(pk=notice.target_id).first()
    return export is not None and export_downloadable(export=export)


READY = notice_kind("members.data_export_ready", label=_("我的数据: personal data ready"), compose=_compose,
                    applies=_applies, permission="members.view_dataexport")
