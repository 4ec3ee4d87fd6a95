"""我的数据: one export of her personal data (members.data_exports builds and serves it)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiangcheng.core import audit
from xiangcheng.core.row_loading import RowLoaded
from xiangcheng.core.storage import private_storage


def _export_path(instance, filename: str) -> str:
    return f"exports/{uuid.uuid4().hex}.zip"


class DataExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    BUILDING = "building", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


IN_FLIGHT = [DataExportStatus.QUEUED, DataExportStatus.BUILDING]


@audit.track(fields=["user", "status"], status="status")
class DataExport(RowLoaded, models.Model):
    """A ZIP of everything the portal holds about her, built by a Celery task, kept privately and
    downloadable by her alone until ``expires_at``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports",
                             verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=10, choices=DataExportStatus.choices,
                              default=DataExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=_export_path, storage=private_storage, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")
        constraints = [
            # One export waiting or being built per member at a time.
            models.UniqueConstraint(fields=["user"], condition=models.Q(status__in=["queued", "building"]),
                                    name="data_export_one_in_flight"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="data_exports_of"),
            # The expiry job's scan.
            models.Index(fields=["expires_at"], condition=models.Q(status="ready"), name="data_exports_due"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}" if self.created_at else str(self.user)
