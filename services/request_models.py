"""Service requests (相链她科企): what a verified organisation asks the alliance's members for, and
their responses. Imported by ``services.models``; the rules live in ``requests.py`` and
``responses.py``.
"""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Field, Organisation, OrganisationStatus
from xiangcheng.core import audit
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.models import Programme
from xiangcheng.core.row_loading import RowLoaded
from xiangcheng.core.text_search import characters_index

# The programme service requests belong to unless staff say otherwise: 相链她科企.
LINK_PROGRAMME = "link"


class RequestCategory(models.TextChoices):
    TECHNOLOGY = "technology", _("Technical cooperation")
    TALENT = "talent", _("Talent needs")
    FINANCING = "financing", _("Financing needs")
    TRANSFER = "transfer", _("Research commercialisation")
    PREMISES = "premises", _("Premises needs")
    TRAINING = "training", _("Training needs")
    OTHER = "other", _("Other")


class Budget(models.TextChoices):
    """A range, in 万元, or none stated: organisations rarely know an exact figure up front."""

    NONE = "", _("Not stated")
    UNDER_10 = "under_10", _("Under 100,000 yuan")
    FROM_10 = "10_50", _("100,000–500,000 yuan")
    FROM_50 = "50_100", _("500,000–1,000,000 yuan")
    FROM_100 = "100_500", _("1–5 million yuan")
    OVER_500 = "over_500", _("Over 5 million yuan")
    NEGOTIABLE = "negotiable", _("Negotiable")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Not published")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


class ResponseStatus(models.TextChoices):
    SENT = "sent", pgettext_lazy("response to a service request", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("response to a service request", "Accepted")
    DECLINED = "declined", pgettext_lazy("response to a service request", "Declined")


def link_programme() -> int:
    """The default programme of a new request (相链她科企)."""
    return Programme.objects.values_list("pk", flat=True).get(slug=LINK_PROGRAMME)


# The rows members browse and search; the search indexes cover these only.
PUBLISHED_ROWS = Q(status="published")


# --- the one deadline rule: the list, the detail page, responses and the expiry job ask it ---------

def first_open_day(now: datetime | None = None) -> date:
    """Today in Xiangcheng: a request stays open through its deadline day, local time."""
    return timezone.localdate(now or timezone.now())


def past_deadline_q(now: datetime | None = None, *, day: date | None = None) -> Q:
    """Requests whose deadline day has ended (in Asia/Shanghai): before ``day``, the first day
    still open, ``first_open_day(now)`` unless given (a page's query built once takes the day)."""
    return Q(deadline__lt=day if day is not None else first_open_day(now))


class ServiceRequestQuerySet(models.QuerySet):
    def open(self, now: datetime | None = None, *, day: date | None = None) -> "ServiceRequestQuerySet":
        """Published, not past the deadline, and its organisation still verified: what members see
        listed and may respond to. The one rule of "open" (list, detail, responses, digest)."""
        return (self.filter(PUBLISHED_ROWS, organisation__status=OrganisationStatus.VERIFIED)
                .exclude(past_deadline_q(now, day=day)))


# What a request says, who decided and why; an edit waiting for review is recorded as it is made.
@audit.track(fields=["organisation", "category", "title", "field", "budget", "deadline", "programme", "status",
                     "rejection_reason", "pending_changes", "published_at", "closed_at"], status="status")
class ServiceRequest(ChoiceLabels, RowLoaded, models.Model):
    """A need a verified organisation posts: reviewed by staff, then browsed by members.

    An edit to a published request waits in ``pending_changes`` (the fields and their new values)
    while the public copy stays as it was; staff apply or discard it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="service_requests",
                                     verbose_name=_("organisation"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("posted by"))
    category = models.CharField(_("category"), max_length=20, choices=RequestCategory.choices)
    title = models.CharField(_("title"), max_length=80)
    description = models.TextField(_("description"), max_length=3000)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    budget = models.CharField(_("budget"), max_length=20, choices=Budget.choices, blank=True, default=Budget.NONE)
    deadline = models.DateField(_("open until"), help_text=_("The last day members can respond."))
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", default=link_programme,
                                  verbose_name=_("programme"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices,
                              default=RequestStatus.DRAFT)
    rejection_reason = models.TextField(_("reason for not publishing"), blank=True)
    pending_changes = models.JSONField(_("edit awaiting review"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="service_request_rejection_has_reason"),
        ]
        indexes = [
            # Members' list (published, newest first) and the expiry scan (published, by deadline).
            models.Index(fields=["-published_at", "-id"], name="requests_published", condition=PUBLISHED_ROWS),
            models.Index(fields=["deadline"], name="requests_published_deadline", condition=PUBLISHED_ROWS),
            models.Index(fields=["organisation", "-created_at"], name="requests_of_organisation"),
            models.Index(fields=["status", "submitted_at"], name="requests_review_queue"),
            characters_index("title", name="requests_title_chars", condition=PUBLISHED_ROWS),
            characters_index("description", name="requests_description_chars", condition=PUBLISHED_ROWS),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("services:request", args=[self.pk])

    @property
    def edit_pending(self) -> bool:
        return bool(self.pending_changes)

    def past_deadline(self, now: datetime | None = None) -> bool:
        return self.deadline < first_open_day(now)

    def is_open(self, now: datetime | None = None) -> bool:
        """Members may see and respond to it now: asks ``open()`` (one query)."""
        return type(self).objects.open(now).filter(pk=self.pk).exists()


# Who responded to what, what she agreed to share and when, and the organisation's decision.
# Her message stays in the row; the trail records the consent and the decision.
@audit.track(fields=["request", "member", "status", "share_email", "share_phone", "consented_at", "decided_by",
                     "org_share_email", "org_share_phone", "decided_at"], status="status")
class RequestResponse(ChoiceLabels, RowLoaded, models.Model):
    """A member's answer to a request. Contacts are never copied here: the flags say which of her
    (and, once accepted, the representative's) verified contacts the other side may see."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="responses",
                                verbose_name=_("service request"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="request_responses",
                               verbose_name=_("member"))
    message = models.TextField(_("message"), max_length=1000)
    status = models.CharField(_("status"), max_length=20, choices=ResponseStatus.choices,
                              default=ResponseStatus.SENT)
    share_email = models.BooleanField(_("her email may be shown"), default=False)
    share_phone = models.BooleanField(_("her mobile number may be shown"), default=False)
    consented_at = models.DateTimeField(_("consent given at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    org_share_email = models.BooleanField(_("the representative's email may be shown"), default=False)
    org_share_phone = models.BooleanField(_("the representative's mobile number may be shown"), default=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("responded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("response to a service request")
        verbose_name_plural = _("responses to service requests")
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "member"], name="one_response_per_member")]
        indexes = [models.Index(fields=["member", "-created_at"], name="responses_of_member")]

    def __str__(self) -> str:
        # Never the account's str(), which is its email address or mobile number.
        return f"{self.request} · #{self.pk}"


class RequestDigestRun(RowLoaded, models.Model):
    """One weekly digest of new requests: which publications it covered. The next one starts where
    this one ended, so a request is announced once."""

    week = models.DateField(_("week starting"), unique=True)
    since = models.DateTimeField(_("published since"))
    until = models.DateTimeField(_("published before"))
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("weekly request digest")
        verbose_name_plural = _("weekly request digests")
        ordering = ["-week"]

    def __str__(self) -> str:
        return self.week.isoformat()


@audit.track(fields=["user", "opted_out_at"])
class RequestDigestOptOut(RowLoaded, models.Model):
    """She asked for no weekly digest of requests (from the email's link or her settings page)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="request_digest_opt_out", verbose_name=_("account"))
    opted_out_at = models.DateTimeField(_("opted out at"))

    class Meta:
        verbose_name = _("request digest opt-out")
        verbose_name_plural = _("request digest opt-outs")

    def __str__(self) -> str:
        return str(self.user)
