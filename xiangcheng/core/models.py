"""The kernel's tables: the five programmes and the one notification outbox. The audit trail's
model lives with its concern (``audit.py``) and is imported here so that Django registers it
with the ``core`` app and creates its permission."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import audit
from .audit import AuditEvent  # noqa: F401
from .row_loading import RowLoaded
from .storage import private_storage


class Programme(RowLoaded, models.Model):
    """One of the district plan's five programmes; everything the alliance offers belongs to one."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    slug = models.SlugField(_("slug"), max_length=30, unique=True)
    slogan = models.CharField(_("slogan"), max_length=60)
    description = models.TextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(
        _("colour"), max_length=7, default="#c2185b",
        help_text=_("A hex colour such as #c2185b, used for the programme's card."),
    )
    icon = models.CharField(_("icon"), max_length=4, help_text=_("One character shown on the card."))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
                                   name="programme_colour_hex"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.slug])


class Notice(RowLoaded, models.Model):
    """One message to one person, from any app: written in the transaction that caused it,
    delivered once by email and SMS, and kept for her message centre (我的消息).

    ``key`` is unique (the kind's name, then what tells two notices of the kind apart), so a
    retried step, a concurrent scan or a second worker never makes a second message.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not sent: no longer applied")
        FAILED = "failed", _("Failed: gave up after retries")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices",
                                  verbose_name=_("recipient"))
    # Both indexed in Meta, with plain indexes: the pattern-matching twin Django adds to a
    # character field's own index would be kept up on every notice written and read by nothing.
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=160)
    staff_only = models.BooleanField(_("staff only"), default=False,
                                     help_text=_("Digests for staff; never listed in a member's messages."))
    # What the notice is about: the kind's composer and its "does it still apply?" check read it.
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True, db_index=False,
                                    related_name="+", verbose_name=_("about (type)"))  # notice_target leads with it
    target_id = models.PositiveBigIntegerField(_("about (id)"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    data = models.JSONField(_("details"), default=dict, blank=True)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    channels_sent = ArrayField(
        models.CharField(max_length=10), verbose_name=_("channels sent"), default=list, blank=True,
        help_text=_("Email and/or SMS already delivered; a retry sends only the others."),
    )

    # As she reads it: composed when it was sent.
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # 我的消息.
            models.Index(fields=["recipient", "-created_at"], condition=models.Q(state="sent", staff_only=False),
                         name="notice_inbox"),
            # Her unread count, read with her account on every signed-in page: only what is unread,
            # so the count does not grow with every notice she ever read (thousands for staff).
            models.Index(fields=["recipient"], condition=models.Q(state="sent", staff_only=False, read_at__isnull=True),
                         name="notice_unread"),
            # The retry job's scan.
            models.Index(fields=["created_at"], condition=models.Q(state="pending"), name="notice_pending"),
            models.Index(fields=["target_type", "target_id"], name="notice_target"),
            models.Index(fields=["kind"], name="notice_by_kind"),
            # Staff's failed notices in admin, newest first, to retry: few rows, kept up only for them.
            models.Index(fields=["-id"], condition=models.Q(state="failed"), name="notice_failed"),
        ]
        # Once per (kind, key): concurrent writers meet here (``outbox.notify_many``'s ON CONFLICT).
        constraints = [models.UniqueConstraint(fields=["key"], name="notice_key_unique")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


# --- the staff dashboard's monthly report (reports.py) ------------------------------------------

def _report_path(instance, filename: str) -> str:
    return f"reports/{uuid.uuid4().hex}.xlsx"


@audit.track(fields=["requested_by", "first_day", "last_day", "status"], status="status")
class DashboardReport(RowLoaded, models.Model):
    """A monthly report asked for from the dashboard: built by a Celery task, kept privately,
    downloaded by the staff member who asked for it until ``expires_at`` (reports.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("requested by"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=_report_path, storage=private_storage, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dashboard report")
        verbose_name_plural = _("dashboard reports")
        default_permissions = ()
        permissions = [("view_dashboard", _("Can open the staff dashboard and build its reports"))]
        constraints = [models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")),
                                              name="dashboard_report_period")]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="dashboard_reports_of"),
            # The expiry job's scan.
            models.Index(fields=["expires_at"], condition=models.Q(status="ready"), name="dashboard_reports_due"),
        ]

    def __str__(self) -> str:
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"


# --- Stories (科创故事): site content beside the programmes (story_models.py) -----------------------
from .story_models import Story, StoryStatus  # noqa: E402, F401
