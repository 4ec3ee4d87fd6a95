"""巾帼管家: the inbox where members raise problems and suggestions and staff answer on time."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import City
from xiangcheng.core import audit
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.row_loading import RowLoaded
from xiangcheng.core.storage import private_storage, served_privately
from xiangcheng.core.text_search import characters_index


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


class TicketCounter(RowLoaded, models.Model):
    """The last reference number used in a year; incremented inside the submitting transaction."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


@audit.track(status="status")
class Ticket(ChoiceLabels, RowLoaded, models.Model):
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
class TicketMessage(RowLoaded, models.Model):
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


class Attachment(RowLoaded, models.Model):
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


class CategorySla(RowLoaded, models.Model):
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


class CannedReply(RowLoaded, models.Model):
    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(_("text"), max_length=3000)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


# --- Jobs (新城招聘): verified organisations post jobs, approved members apply ---------------------

# 相链她科企: jobs belong to it unless staff say otherwise.
JOBS_PROGRAMME = "link"


class Education(models.TextChoices):
    ANY = "any", _("Any")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class JobStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    CLOSED = "closed", _("Closed")


# The highest monthly salary a job may state, in yuan (a mistyped figure is caught, not stored).
JOB_SALARY_LIMIT = 1_000_000


def _jobs_programme() -> int | None:
    from xiangcheng.core.models import Programme

    return Programme.objects.filter(slug=JOBS_PROGRAMME).values_list("pk", flat=True).first()


# The moderation decisions and the lifecycle; the texts stay in the job.
@audit.track(fields=["organisation", "title", "status", "closes_on", "rejection_reason", "reviewed_by",
                     "changes_submitted_at"], status="status")
class Job(ChoiceLabels, RowLoaded, models.Model):
    """A job an organisation posts; public once staff publish it, until its last day has passed.

    An edit to a published job waits in ``pending_changes`` for review; the public copy stays as it
    is until staff approve the edit (``services.jobs``).
    """

    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="jobs",
                                     verbose_name=_("organisation"))
    programme = models.ForeignKey("core.Programme", on_delete=models.PROTECT, related_name="+",
                                  default=_jobs_programme, verbose_name=_("programme"))
    title = models.CharField(_("position title"), max_length=60)
    city = models.CharField(_("city"), max_length=20, choices=City.choices)
    location = models.CharField(_("place of work"), max_length=80, blank=True,
                                help_text=_("District or address, e.g. 相城区高铁新城."))
    # In yuan a month; both empty: salary negotiable (面议).
    salary_min = models.PositiveIntegerField(_("salary from (yuan a month)"), null=True, blank=True,
                                             validators=[MaxValueValidator(JOB_SALARY_LIMIT)])
    salary_max = models.PositiveIntegerField(_("salary up to (yuan a month)"), null=True, blank=True,
                                             validators=[MaxValueValidator(JOB_SALARY_LIMIT)])
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, default=Education.ANY)
    headcount = models.PositiveSmallIntegerField(_("openings"), default=1,
                                                 validators=[MinValueValidator(1), MaxValueValidator(999)])
    description = models.TextField(_("description"), max_length=3000)
    # The last day applications are taken, in Xiangcheng's calendar (services.jobs.closing_passed).
    closes_on = models.DateField(_("last day to apply"))
    status = models.CharField(_("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.DRAFT)
    rejection_reason = models.TextField(_("reason for not publishing"), blank=True)
    # A published job's edit awaiting review: field name → value (dates as ISO text).
    pending_changes = models.JSONField(_("edit awaiting review"), default=dict, blank=True)
    changes_submitted_at = models.DateTimeField(_("edit submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("posted by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-published_at", "-pk"]
        permissions = [("moderate_job", _("Can publish or reject jobs"))]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(salary_min__isnull=True, salary_max__isnull=True)
                           | models.Q(salary_min__isnull=False, salary_max__isnull=False,
                                      salary_min__lte=models.F("salary_max"))),
                name="job_salary_range"),
            models.CheckConstraint(condition=models.Q(headcount__gte=1), name="job_headcount_positive"),
        ]
        indexes = [
            # The public list: published jobs, newest first, those still open.
            models.Index(fields=["-published_at", "-id"], name="job_public_order",
                         condition=models.Q(status="published")),
            models.Index(fields=["closes_on"], name="job_open_closes_on", condition=models.Q(status="published")),
            models.Index(fields=["organisation", "-created_at"], name="job_by_organisation"),
            models.Index(fields=["status", "submitted_at"], name="job_review_queue"),
            characters_index("title", name="job_title_characters", condition=models.Q(status="published")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:job", args=[self.pk])

    @property
    def salary_negotiable(self) -> bool:
        return self.salary_min is None


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Applied")
    VIEWED = "viewed", _("Viewed")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    DECLINED = "declined", _("Declined")


def _cv_path(instance, filename: str) -> str:
    return f"cv/{uuid.uuid4().hex}.pdf"


def cv_storage():
    return served_privately("services:job_cv")


@audit.track(fields=["job", "member", "status"], status="status")
class Application(ChoiceLabels, RowLoaded, models.Model):
    """A member's application to a job: her message and, if she wishes, her CV (a PDF, private)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="applications", verbose_name=_("job"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_applications",
                               verbose_name=_("applicant"))
    message = models.TextField(_("message"), max_length=2000)
    cv = models.FileField(_("CV"), upload_to=_cv_path, storage=cv_storage, blank=True)
    cv_name = models.CharField(_("CV file name"), max_length=120, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("job application")
        verbose_name_plural = _("job applications")
        ordering = ["-created_at", "-pk"]
        permissions = [("read_cv", _("Can read applicants' CVs"))]
        constraints = [models.UniqueConstraint(fields=["job", "member"], name="one_application_per_job")]
        indexes = [models.Index(fields=["member", "-created_at"], name="application_by_member")]

    def __str__(self) -> str:
        return f"{self.job} · {self.member}"



# --- Federation offerings (相链她科企, 相助她空间): staff publish them, members book a slot 1:1 or
# request an appointment (which becomes an inbox ticket). Rules in services/offerings.py and
# services/slot_booking.py.

class OfferingMode(models.TextChoices):
    SLOTS = "slots", _("Time slots")
    APPOINTMENT = "appointment", _("By appointment")


@audit.track()
class Offering(ChoiceLabels, RowLoaded, models.Model):
    programme = models.ForeignKey("core.Programme", on_delete=models.PROTECT, related_name="offerings",
                                  verbose_name=_("programme"))
    title = models.CharField(_("title"), max_length=80)
    provider = models.CharField(_("provider"), max_length=80,
                                help_text=_("Who gives the service, e.g. a partner bank or the federation."))
    description = models.TextField(_("description"), max_length=3000)
    mode = models.CharField(_("how to book"), max_length=12, choices=OfferingMode.choices, default=OfferingMode.SLOTS)
    category = models.CharField(_("inbox category"), max_length=20, choices=Category.choices, default=Category.OTHER,
                                help_text=_("Appointment requests become inbox tickets in this category."))
    published = models.BooleanField(_("published"), default=False, db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["programme", "title"], condition=models.Q(published=True),
                                name="offering_published_prog")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("offerings:detail", args=[self.pk])

    @property
    def by_appointment(self) -> bool:
        return self.mode == OfferingMode.APPOINTMENT


@audit.track()
class OfferingSlot(RowLoaded, models.Model):
    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="slots",
                                 verbose_name=_("offering"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=1,
                                                validators=[MinValueValidator(1), MaxValueValidator(500)])

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["offering", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_ends_after_start",
                                   violation_error_message=_("A time slot must end after it starts.")),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity_positive",
                                   violation_error_message=_("A time slot needs at least one place.")),
        ]

    def __str__(self) -> str:
        return f"{self.offering} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class SlotBookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


@audit.track(status="status")
class SlotBooking(RowLoaded, models.Model):
    # A slot someone booked (or cancelled) is kept: deleting it would drop bookings nobody was told of.
    slot = models.ForeignKey(OfferingSlot, on_delete=models.PROTECT, related_name="bookings",
                             verbose_name=_("time slot"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slot_bookings",
                               verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=10, choices=SlotBookingStatus.choices,
                              default=SlotBookingStatus.BOOKED)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("slot booking")
        verbose_name_plural = _("slot bookings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "member"], condition=models.Q(status="booked"),
                                    name="one_active_booking_per_member_per_slot"),
        ]
        indexes = [models.Index(fields=["slot", "status"]), models.Index(fields=["member", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.slot} · {self.member}"


class OfferingAppointment(ChoiceLabels, RowLoaded, models.Model):
    """Which offering an appointment request is about; the request itself is the inbox ticket."""

    offering = models.ForeignKey(Offering, on_delete=models.PROTECT, related_name="appointments",
                                 verbose_name=_("offering"))
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="appointment",
                                  verbose_name=_("inbox ticket"))
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("appointment request")
        verbose_name_plural = _("appointment requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.offering} · {self.ticket.reference}"



# --- Calls (相创她数智) and service requests (相链她科企): the models live in their own modules ------
from .call_models import (  # noqa: E402, F401 - Django finds an app's models in models.py
    Call,
    CallApplication,
    CallApplicationStatus,
    CallAttachment,
    CallFollow,
    CallKind,
    CallLevel,
    CallStatus,
)
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

# --- Calls: the review side (announcements of a call's opening to its followers) -------------------
# isort: split
from .call_review_models import CallAnnouncement  # noqa: E402, F401 - Django finds an app's models in models.py
