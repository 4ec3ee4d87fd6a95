"""Venues, events and registrations; each event belongs to a programme."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiangcheng.core import audit
from xiangcheng.core.audiences import restricted_audiences
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.models import Programme
from xiangcheng.core.row_loading import RowLoaded

from .seat_counts import EVENT_TRIGGERS, registration_triggers


class Venue(RowLoaded, models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    address = models.CharField(_("address"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    notes = models.TextField(_("notes"), blank=True, help_text=_("How to get there, which door, parking."))

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    SALON = "salon", _("Salon")
    SHARING = "sharing", _("Sharing session")
    TRAINING = "training", _("Training")
    CONTEST = "contest", _("Contest")
    ROUNDTABLE = "roundtable", _("Round-table forum")
    CAMP = "camp", _("Camp")
    OTHER = "other", _("Other")


class Audience(models.TextChoices):
    MEMBERS = "members", _("Approved members only")
    VERIFIED = "verified", _("Any verified account")


def audience_choices() -> list[tuple[str, object]]:
    """The open audiences, then the circles apps registered (xiangcheng.core.audiences): an event
    kept to a circle is listed, shown and booked only by its members."""
    return [*Audience.choices, *((a.key, a.label) for a in restricted_audiences())]


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


def _default_offsets() -> list[int]:
    return [24 * 60, 2 * 60]


def _poster_path(instance, filename: str) -> str:
    return f"posters/{uuid.uuid4().hex}.jpg"


def _poster_thumb_path(instance, filename: str) -> str:
    return f"posters/thumbs/{uuid.uuid4().hex}.jpg"


def seats_free(*, capacity: int, confirmed: int) -> int:
    """Seats not yet confirmed: the one definition of "full" (none free), for pages and booking."""
    return max(capacity - confirmed, 0)


@audit.track(status="status")
class Event(ChoiceLabels, RowLoaded, models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="events", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("description"), max_length=5000, help_text=_("Plain text."))
    poster = models.ImageField(_("poster"), upload_to=_poster_path, blank=True)
    poster_thumb = models.ImageField(_("poster thumbnail"), upload_to=_poster_thumb_path, blank=True)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="events",
        verbose_name=_("venue"),
    )
    online_url = models.URLField(_("online link"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    cancellation_deadline = models.DateTimeField(
        _("cancellation deadline"), help_text=_("Members may cancel their own registration until then.")
    )
    capacity = models.PositiveIntegerField(_("seats"))
    audience = models.CharField(_("who may sign up"), max_length=10, choices=audience_choices,
                                default=Audience.MEMBERS)
    requires_approval = models.BooleanField(_("registrations need staff approval"), default=False)
    waitlist_enabled = models.BooleanField(_("waitlist when full"), default=True)
    reminder_offsets = ArrayField(
        models.PositiveIntegerField(validators=[MaxValueValidator(7 * 24 * 60)]), verbose_name=_("reminders (minutes before the start)"),
        default=_default_offsets, blank=True, size=5,
    )
    childcare_offered = models.BooleanField(_("childcare offered"), default=False)
    childcare_places = models.PositiveIntegerField(_("childcare places"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=EventStatus.choices,
                              default=EventStatus.DRAFT, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="event_ends_after_start"),
            models.CheckConstraint(
                condition=models.Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_window"),
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=~models.Q(venue__isnull=True, online_url=""), name="event_has_place"),
        ]
        # "Upcoming" is ends_at >= now: the lists and their counts find those few hundred rows
        # among years of past events through this index.
        indexes = [models.Index(fields=["ends_at"], name="event_ends_at")]
        triggers = EVENT_TRIGGERS

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("events:detail", args=[self.pk])

    @property
    def seats_left(self) -> int:
        """Load with ``select_related("seats")`` (events.queries does) to read it without a query."""
        return seats_free(capacity=self.capacity, confirmed=self.seats.confirmed)

    @property
    def takes_more_when_full(self) -> bool:
        """Full, it still takes sign-ups: onto the waitlist, or as requests awaiting approval."""
        return self.waitlist_enabled or self.requires_approval


class EventSeats(RowLoaded, models.Model):
    """The seats and childcare places an event has confirmed, kept by the database's triggers
    (events.seat_counts) and never written by the application."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="seats",
                                 verbose_name=_("event"))
    confirmed = models.PositiveIntegerField(_("seats confirmed"), default=0)
    children = models.PositiveIntegerField(_("childcare places booked"), default=0)

    class Meta:
        verbose_name = _("seat count")
        verbose_name_plural = _("seat counts")
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.event_id}: {self.confirmed}"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Not approved")


ACTIVE_STATUSES = [RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


@audit.track(status="status")
class Registration(ChoiceLabels, RowLoaded, models.Model):
    # Indexed with its status in Meta, which serves every read by event: an index of the event
    # alone would only be one more to keep up on every sign-up.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations", db_index=False,
                              verbose_name=_("event"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="registrations", verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    children_count = models.PositiveSmallIntegerField(_("children in childcare"), default=0)
    children_ages = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("children's ages"),
                               default=list, blank=True, size=5)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("checked in by"),
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        permissions = [("checkin_registration", _("Can check members in at events"))]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=models.Q(status__in=ACTIVE_STATUSES),
                name="one_active_registration_per_member",
            ),
            models.CheckConstraint(
                condition=models.Q(children_count__lte=5), name="registration_children_max",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"])]
        triggers = registration_triggers(confirmed=RegistrationStatus.CONFIRMED.value)

    def __str__(self) -> str:
        return f"{self.event} · {self.user}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class CalendarFeed(RowLoaded, models.Model):
    """A member's secret calendar subscription URL; resetting the token revokes the old one."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="calendar_feed", verbose_name=_("member"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
