"""Calls (相创她数智): contests and talent nominations staff publish, and members' applications.
Imported by ``services.models``; the rules live in ``calls.py`` (applying) and ``call_reviews.py``
(staff decisions).
"""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Field
from xiangcheng.core import audit
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.models import Programme
from xiangcheng.core.row_loading import RowLoaded
from xiangcheng.core.storage import private_storage

# The programme calls belong to unless staff say otherwise: 相创她数智.
CREATE_PROGRAMME = "create"


class CallKind(models.TextChoices):
    CONTEST = "contest", _("Innovation contest")
    TALENT = "talent", _("Talent programme selection")
    HONOUR = "honour", _("Honour nomination")
    TRAINING = "training", _("Training selection")


class CallLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", pgettext_lazy("call level", "City")  # not the "City" of addresses (城市)
    DISTRICT = "district", _("District")


class CallStatus(models.TextChoices):
    """Staff's side of a call; whether it is open is a date rule (``calls.py``), not a status."""

    DRAFT = "draft", pgettext_lazy("call", "Draft")
    PUBLISHED = "published", pgettext_lazy("call", "Published")
    CANCELLED = "cancelled", pgettext_lazy("call", "Cancelled")


class CallApplicationStatus(models.TextChoices):
    STARTED = "started", _("Not yet submitted")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", pgettext_lazy("call application", "Withdrawn")
    SHORTLISTED = "shortlisted", _("Passed first review")
    NOT_SHORTLISTED = "not_shortlisted", _("Did not pass first review")
    RECOMMENDED = "recommended", _("Recommended")
    SELECTED = "selected", _("Selected")
    AWARDED = "awarded", _("Awarded")
    NOT_SELECTED = "not_selected", _("Not selected")


def create_programme() -> int:
    """The default programme of a new call (相创她数智)."""
    return Programme.objects.values_list("pk", flat=True).get(slug=CREATE_PROGRAMME)


PUBLISHED_CALLS = Q(status="published")


# --- the one "open" rule: the list, the detail page, applying, editing and the reminders ask it ----

def call_today(now: datetime | None = None) -> date:
    """Today in Xiangcheng: a call is open from its opening day through its closing day, local time."""
    return timezone.localdate(now or timezone.now())


class CallQuerySet(models.QuerySet):
    def published(self) -> "CallQuerySet":
        return self.filter(PUBLISHED_CALLS)

    def open(self, now: datetime | None = None) -> "CallQuerySet":
        """Published and within its days: members may apply, edit and withdraw."""
        today = call_today(now)
        return self.filter(PUBLISHED_CALLS, opens_on__lte=today, closes_on__gte=today)


# What staff published and when; edits to the texts are in the trail too.
@audit.track(fields=["kind", "title", "organiser", "level", "programme", "field", "opens_on", "closes_on",
                     "places", "status", "review_started_at"], status="status")
class Call(ChoiceLabels, RowLoaded, models.Model):
    """A contest, talent programme or honour the district recommends members for.

    Open from ``opens_on`` through ``closes_on`` (local days, ``calls.py``); ``places`` caps how
    many the district may recommend, when the organiser sets a quota.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices)
    title = models.CharField(_("title"), max_length=120)
    organiser = models.CharField(_("organiser"), max_length=120)
    level = models.CharField(_("level"), max_length=20, choices=CallLevel.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", default=create_programme,
                                  verbose_name=_("programme"))
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, blank=True,
                             help_text=_("Leave empty when the call is open to every field."))
    summary = models.TextField(_("about the call"), max_length=3000)
    eligibility = models.TextField(_("who may apply"), max_length=3000)
    requirements = models.TextField(_("what to submit"), max_length=3000)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"), help_text=_("The last day members can apply."))
    places = models.PositiveSmallIntegerField(
        _("places the district may recommend"), null=True, blank=True,
        help_text=_("Leave empty when there is no limit."))
    status = models.CharField(_("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.DRAFT)
    # Set when staff start reviewing: applications can no longer be edited from then on.
    review_started_at = models.DateTimeField(_("review started at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_on", "-pk"]
        permissions = [("review_callapplication", _("Can review applications to calls"))]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"),
        ]
        indexes = [
            # Members' list: published calls by closing day; the closing scans use it too.
            models.Index(fields=["closes_on", "id"], name="calls_published_closing", condition=PUBLISHED_CALLS),
            models.Index(fields=["-opens_on", "-id"], name="calls_published_opening", condition=PUBLISHED_CALLS),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:call", args=[self.pk])

    def is_open(self, now: datetime | None = None) -> bool:
        """The same rule as ``Call.objects.open()``, for a row already loaded."""
        today = call_today(now)
        return self.status == CallStatus.PUBLISHED and self.opens_on <= today <= self.closes_on

    def closed(self, now: datetime | None = None) -> bool:
        """Its last day has ended (whatever its status)."""
        return call_today(now) > self.closes_on


# Each step of an application and who took it (reason and notes in the row, the step in the trail).
@audit.track(fields=["call", "member", "status", "reason", "submitted_at", "decided_at"], status="status")
class CallApplication(ChoiceLabels, RowLoaded, models.Model):
    """A member's application to a call: one per member per call."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_applications",
                               verbose_name=_("member"))
    statement = models.TextField(_("statement"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CallApplicationStatus.choices,
                              default=CallApplicationStatus.STARTED)
    # Why she did not pass first review (shown to her); staff notes are for staff only.
    reason = models.TextField(_("reason"), blank=True)
    staff_notes = models.TextField(_("staff notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("application to a call")
        verbose_name_plural = _("applications to calls")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "member"], name="one_application_per_member_per_call"),
            models.CheckConstraint(condition=~Q(status="not_shortlisted") | ~Q(reason=""),
                                   name="call_application_refusal_has_reason"),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="call_applications_of_member"),
            models.Index(fields=["call", "status"], name="call_applications_by_status"),
            # The reviewers' queue in admin: newest submitted first, all of them or those of a status.
            models.Index(fields=["status", "-submitted_at", "-id"], name="call_applications_queue"),
            models.Index(fields=["-submitted_at", "-id"], name="call_applications_newest"),
        ]

    def __str__(self) -> str:
        # Never the account's str(), which is its email address or mobile number.
        return f"{self.call} · #{self.pk}"


def _call_file_path(instance, filename: str) -> str:
    return f"calls/{instance.application_id}/{uuid.uuid4().hex}"


class CallAttachment(RowLoaded, models.Model):
    """A PDF or image attached to an application, through the file gate; stored privately and
    served only to the applicant and to staff who review calls."""

    application = models.ForeignKey(CallApplication, on_delete=models.CASCADE, related_name="attachments",
                                    verbose_name=_("application"))
    file = models.FileField(_("file"), upload_to=_call_file_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


@audit.track(fields=["member", "kind", "field"])
class CallFollow(RowLoaded, models.Model):
    """She asked to hear when a call of this kind, or in this field, opens (one of the two is set)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_follows",
                               verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=20, choices=CallKind.choices, blank=True)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices, blank=True)
    created_at = models.DateTimeField(_("followed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("followed call kind or field")
        verbose_name_plural = _("followed call kinds and fields")
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "field"], name="one_follow_per_kind_or_field"),
            models.CheckConstraint(condition=(Q(kind="") & ~Q(field="")) | (~Q(kind="") & Q(field="")),
                                   name="call_follow_kind_or_field"),
        ]
        indexes = [models.Index(fields=["kind", "field"], name="call_follows_lookup")]

    def __str__(self) -> str:
        return self.get_kind_display() or self.get_field_display()
