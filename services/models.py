"""巾帼管家: the inbox where members raise problems and suggestions and staff answer on time."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xiangcheng.core import audit
from xiangcheng.core.storage import private_storage


class Category(models.TextChoices):
    FINANCE = "finance", _("Financial services")
    POLICY = "policy", _("Policy questions")
    TALENT = "talent", _("Talent and jobs")
    SPACE = "space", _("Venues and space")
    CHILDCARE = "childcare", _("Childcare")
    TECH_TRANSFER = "tech_transfer", _("Technology transfer")
    SUGGESTION = "suggestion", _("Suggestions")
    OTHER = "other", _("Other")


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_INFO = "awaiting_info", _("Waiting for more information")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [TicketStatus.NEW, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS,
                 TicketStatus.AWAITING_INFO, TicketStatus.ANSWERED]
# The next move is staff's, so the answer deadline runs (services.sla.is_overdue).
WAITING_ON_STAFF = [TicketStatus.NEW, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS]


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Contact(models.TextChoices):
    SITE = "site", _("On this site")
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")


class TicketCounter(models.Model):
    """The last reference number used in a year; incremented inside the submitting transaction."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


@audit.track(status="status")
class Ticket(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets",
                               verbose_name=_("member"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=100)
    description = models.TextField(_("description"), max_length=3000)
    preferred_contact = models.CharField(_("preferred contact"), max_length=10, choices=Contact.choices,
                                         default=Contact.SITE)
    status = models.CharField(_("status"), max_length=15, choices=TicketStatus.choices,
                              default=TicketStatus.NEW, db_index=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_("assigned to"))
    due_at = models.DateTimeField(_("answer due by"))
    first_response_at = models.DateTimeField(_("first answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(_("rating comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inbox ticket")
        verbose_name_plural = _("inbox tickets")
        ordering = ["-created_at", "-pk"]
        permissions = [("supervise_ticket", _("Can supervise the inbox (digest of unassigned tickets)"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="ticket_number_per_year"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="ticket_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("services:ticket", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.status != TicketStatus.CLOSED

    @property
    def waiting_on_staff(self) -> bool:
        """New, accepted or in progress: the next move is staff's, so the deadline runs."""
        return self.status in WAITING_ON_STAFF


# A message's text stays in the message; the trail records who added which kind, when.
@audit.track(fields=["ticket", "author", "internal", "from_staff", "created_at"])
class TicketMessage(models.Model):
    """A public reply (member or staff) or an internal note (staff only, never shown to her)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("author"))
    body = models.TextField(_("message"), max_length=3000)
    internal = models.BooleanField(_("internal note"), default=False)
    from_staff = models.BooleanField(_("from staff"), default=False)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.ticket.reference} · {self.created_at:%Y-%m-%d %H:%M}"


# The name the first migrations gave the storage callable; every private file now uses the
# kernel's one private storage.
attachment_storage = private_storage


def _attachment_path(instance, filename: str) -> str:
    return f"inbox/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """An image or PDF a member attached; stored privately and served only to her and staff."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    file = models.FileField(_("file"), upload_to=_attachment_path, storage=private_storage)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class CategorySla(models.Model):
    """How many working days staff have to answer a ticket of a category (default 5)."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("working days to answer"), default=5,
                                                    validators=[MinValueValidator(1), MaxValueValidator(60)])

    class Meta:
        verbose_name = _("answer deadline")
        verbose_name_plural = _("answer deadlines")
        ordering = ["category"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.working_days}"


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=3000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# --- Service requests (相链她科企): the models live in their own module --------------------------
from .request_models import (  # noqa: E402, F401 - Django finds an app's models in models.py
    Budget,
    RequestCategory,
    RequestDigestOptOut,
    RequestDigestRun,
    RequestResponse,
    RequestStatus,
    ResponseStatus,
    ServiceRequest,
)
