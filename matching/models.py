"""遇见: who takes part, for what, and what she lets others see (one match profile per account).

Candidates for a suggestion are fetched from the database through what two profiles share —
interests, fields, cities — so each of those arrays has a GIN index over active profiles only
(``&&`` overlap lookups); the 交友 circle is found through the purposes' index.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from members.models import City, Field
from members.profiles import person_name
from xiangcheng.core import audit
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.row_loading import RowLoaded


class Purpose(models.TextChoices):
    NETWORKING = "networking", _("Industry networking")
    SEEK_MENTOR = "seek_mentor", _("Looking for a mentor")
    OFFER_MENTORING = "offer_mentoring", _("Willing to mentor")
    COFOUNDING = "cofounding", _("Start-up partners")
    FRIENDSHIP = "friendship", _("Making friends (交友)")


class Visibility(models.TextChoices):
    """Who may see a 交友 detail (age range sought, hometown)."""

    CONNECTED = "connected", _("Only my connections")
    CIRCLE = "circle", _("The whole 交友 circle")
    NOBODY = "nobody", _("Nobody (for suggestions only)")


class MatchStatus(models.TextChoices):
    ACTIVE = "active", _("Taking part")
    SUSPENDED = "suspended", _("Suspended from 遇见")
    # Single talents who join 交友 alone (not members): seen by nobody until 遇见审核 staff verify
    # their real name (matching.name_checks); a rejected one corrects it and is checked again.
    AWAITING_CHECK = "awaiting", _("Waiting for real-name verification")
    REJECTED = "rejected", _("Real name not verified")


# Limits shared by the database, the forms and the domain.
INTRODUCTION_MAX = 300
INTERESTS_MAX = 10
INTEREST_CHARS = 20
AGE_MIN, AGE_MAX = 18, 80
HOMETOWN_MAX = 40
REAL_NAME_MAX = 40
CHECK_REASON_MAX = 500

ACTIVE_ROWS = models.Q(status=MatchStatus.ACTIVE)


# Who joined, was suspended or left: status changes and the deletion when she leaves. What she
# wrote about herself is not copied into the audit trail.
@audit.track(fields=["user", "status", "joined_at"], status="status")
class MatchProfile(ChoiceLabels, RowLoaded, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_profile",
        verbose_name=_("account"),
    )
    purposes = ArrayField(
        models.CharField(max_length=20, choices=Purpose.choices), verbose_name=_("purposes"), size=len(Purpose),
    )
    interests = ArrayField(
        models.CharField(max_length=INTEREST_CHARS), verbose_name=_("interests"), default=list, blank=True,
        size=INTERESTS_MAX,
    )
    fields = ArrayField(
        models.CharField(max_length=30, choices=Field.choices), verbose_name=_("fields"), default=list,
        blank=True, size=len(Field),
    )
    cities = ArrayField(
        models.CharField(max_length=20, choices=City.choices), verbose_name=_("cities where she can meet"),
        size=len(City),
    )
    introduction = models.TextField(_("short introduction"), max_length=INTRODUCTION_MAX, blank=True)
    show_photo = models.BooleanField(_("show my photo"), default=False)
    # 交友 only.
    age_min = models.PositiveSmallIntegerField(_("age sought from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("age sought to"), null=True, blank=True)
    age_visibility = models.CharField(_("who sees the age range"), max_length=10, choices=Visibility.choices,
                                      default=Visibility.CONNECTED)
    hometown = models.CharField(_("hometown"), max_length=HOMETOWN_MAX, blank=True)
    hometown_visibility = models.CharField(_("who sees the hometown"), max_length=10, choices=Visibility.choices,
                                           default=Visibility.CONNECTED)

    status = models.CharField(_("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.ACTIVE)
    # Joining 交友 alone (not a member): her real name as on her ID, collected for 遇见 only and
    # deleted with the profile; the reason staff gave when they could not verify it.
    # (Empty by default in the database too: bulk loaders that list no such column stay valid.)
    real_name = models.CharField(_("real name (as on the ID card)"), max_length=REAL_NAME_MAX, blank=True,
                                 default="", db_default="")
    check_reason = models.CharField(_("why the real name was not verified"), max_length=CHECK_REASON_MAX,
                                    blank=True, default="", db_default="")
    checked_at = models.DateTimeField(_("real name checked at"), null=True, blank=True)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("match profile")
        verbose_name_plural = _("match profiles")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(age_min__isnull=True, age_max__isnull=True)
                           | models.Q(age_min__gte=AGE_MIN, age_max__lte=AGE_MAX,
                                      age_min__lte=models.F("age_max"))),
                name="match_age_range_valid",
            ),
            models.CheckConstraint(condition=~models.Q(purposes=[]), name="match_has_purpose"),
            models.CheckConstraint(condition=~models.Q(cities=[]), name="match_has_city"),
            # Whoever waits for the real-name check (or was refused) has given a real name.
            models.CheckConstraint(
                condition=~models.Q(status__in=[MatchStatus.AWAITING_CHECK, MatchStatus.REJECTED]) | ~models.Q(real_name=""),
                name="match_checked_has_real_name",
            ),
        ]
        # A suggestion engine reads candidates as "active and sharing a tag, a field or a city"
        # (one BitmapOr over these), and the 交友 circle as "active and with that purpose".
        indexes = [
            GinIndex(fields=["interests"], name="match_interests", condition=ACTIVE_ROWS),
            GinIndex(fields=["fields"], name="match_fields", condition=ACTIVE_ROWS),
            GinIndex(fields=["cities"], name="match_cities", condition=ACTIVE_ROWS),
            GinIndex(fields=["purposes"], name="match_purposes", condition=ACTIVE_ROWS),
            # The first tier of her candidates shares all three: one index answers the three
            # overlaps together and the scan visits only the rows that share them (half the blocks
            # of reading one overlap's index and filtering the rest at volume).
            GinIndex(fields=["interests", "fields", "cities"], name="match_shared", condition=ACTIVE_ROWS),
            models.Index(fields=["status", "joined_at"], name="match_by_status"),  # the staff list
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def in_friendship_circle(self) -> bool:
        return in_friendship_circle(self.purposes)


def in_friendship_circle(purposes: list[str]) -> bool:
    """Whether a profile with these purposes is in the 交友 circle."""
    return Purpose.FRIENDSHIP in purposes


# Suggestions (matching.suggestions): her best candidates, recomputed after she changes her
# profile and nightly for everyone.
SUGGESTIONS_MAX = 20


class Suggestion(RowLoaded, models.Model):
    """One candidate suggested to her, with its score and the reasons as codes and parameters
    (``matching.scoring.Reason``), put into words when she reads them. Leaving 遇见 deletes her
    profile and with it the suggestions to her and of her."""

    profile = models.ForeignKey(MatchProfile, on_delete=models.CASCADE, related_name="suggestions",
                                verbose_name=_("suggested to"))
    candidate = models.ForeignKey(MatchProfile, on_delete=models.CASCADE, related_name="suggested_to",
                                  verbose_name=_("candidate"))
    score = models.PositiveIntegerField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        constraints = [
            models.UniqueConstraint(fields=["profile", "candidate"], name="suggestion_once"),
            models.CheckConstraint(condition=~models.Q(profile=models.F("candidate")), name="suggestion_not_herself"),
        ]
        # Her page reads hers best first.
        indexes = [models.Index(fields=["profile", "-score", "candidate"], name="suggestion_order")]

    def __str__(self) -> str:
        return f"{self.profile} → {self.candidate}"


# Introductions (matching.introductions): a "相遇" request from one participant to another.
INTRODUCTION_MESSAGE_MAX = 200


class IntroductionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Connected")
    # Declining is silent: the sender keeps seeing "waiting" until the request expires.
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Ended by a rule rather than by either side: a block, a suspension, one side leaving.
    CANCELLED = "cancelled", _("Cancelled")
    # Not answered within INTRODUCTION_EXPIRY_DAYS (matching.introductions.is_expired).
    EXPIRED = "expired", _("Expired")


OPEN_INTRODUCTIONS = models.Q(status__in=[IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED])


# Who asked whom, and how it ended — never the message or the contacts shared.
@audit.track(fields=["sender", "recipient", "status", "answered_at"], status="status")
class Introduction(ChoiceLabels, RowLoaded, models.Model):
    """One "相遇" request. It hangs on the two accounts, not on their match profiles, so a
    connection she accepted stays on the other side's list (as "已离开遇见") after she leaves;
    leaving deletes her requests that were not accepted. Each side chooses which of her verified
    contacts the other sees once connected: the sender when sending, the recipient when accepting."""

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="introductions_sent", verbose_name=_("from"))
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="introductions_received", verbose_name=_("to"))
    message = models.TextField(_("message"), max_length=INTRODUCTION_MESSAGE_MAX)
    status = models.CharField(_("status"), max_length=10, choices=IntroductionStatus.choices,
                              default=IntroductionStatus.PENDING)
    sender_shares_email = models.BooleanField(_("sender shares her email"), default=False)
    sender_shares_phone = models.BooleanField(_("sender shares her mobile"), default=False)
    recipient_shares_email = models.BooleanField(_("recipient shares her email"), default=False)
    recipient_shares_phone = models.BooleanField(_("recipient shares her mobile"), default=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        constraints = [
            models.CheckConstraint(condition=~models.Q(sender=models.F("recipient")), name="introduction_not_herself"),
            # One open request or connection per direction; the other direction is checked under
            # the sender's account lock.
            models.UniqueConstraint(fields=["sender", "recipient"], condition=OPEN_INTRODUCTIONS,
                                    name="introduction_open_once"),
        ]
        indexes = [
            # 我的相遇 (sent and received, newest first) and the daily limit on sending.
            models.Index(fields=["sender", "-created_at"], name="introduction_sent"),
            models.Index(fields=["recipient", "-created_at"], name="introduction_received"),
        ]

    def __str__(self) -> str:
        # Names only: an account's str() is its email or mobile, which admin titles would show.
        return f"{person_name(self.sender)} → {person_name(self.recipient)}"


# --- Introductions: the limits of sending and answering (matching.introductions) -------------
INTRODUCTIONS_PER_DAY = 10  # requests she may send per Asia/Shanghai day
INTRODUCTION_EXPIRY_DAYS = 14  # a request not accepted by then has expired (for both sides)
DECLINED_QUIET_DAYS = 90  # a declined pair is not suggested to each other (either way) for so long




# Joining 交友 alone (matching.name_checks): the 遇见审核 queue of real names to verify.
class NameCheck(MatchProfile):
    """The match profiles of single talents who joined 交友 alone, as the 遇见审核 queue reads them."""

    class Meta:
        proxy = True
        verbose_name = _("real-name check")
        verbose_name_plural = _("real-name checks (遇见)")
        permissions = [("check_namecheck", _("Can verify or reject the real names of 遇见 participants"))]

    def __str__(self) -> str:
        return self.real_name  # never the account's contact (admin names rows by it)


# --- Safety (matching.safety): blocks, reports and the moderation queue ------------------------
# Both hang on the accounts, not on the match profiles: a block stays when either side leaves
# 遇见 (and holds again if she comes back), and a report stays for the moderators to handle.
REPORT_DETAILS_MAX = 500
MODERATION_NOTE_MAX = 500


# Who blocked whom and when it was lifted (the rows themselves), never why.
@audit.track(fields=["blocker", "blocked"])
class Block(RowLoaded, models.Model):
    """She blocked someone: both are invisible to each other everywhere in 遇见
    (``matching.safety.blocked_either_way``)."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="match_blocks", verbose_name=_("blocked by"))
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="match_blocked_by", verbose_name=_("blocked member"))
    created_at = models.DateTimeField(_("blocked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~models.Q(blocker=models.F("blocked")), name="block_not_herself"),
        ]
        indexes = [
            # Her list, newest first; the other direction for "blocked either way".
            models.Index(fields=["blocker", "-created_at"], name="block_by_blocker"),
            models.Index(fields=["blocked", "blocker"], name="block_by_blocked"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} ⊘ {self.blocked_id}"


class ReportReason(models.TextChoices):
    HARASSMENT = "harassment", _("Harassment")
    FALSE_INFORMATION = "false_information", _("False information")
    INAPPROPRIATE = "inappropriate", _("Inappropriate content")
    FRAUD = "fraud", _("Fraud")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WARNED = "warned", _("Handled: warned")
    SUSPENDED = "suspended", _("Handled: suspended")
    DISMISSED = "dismissed", _("Handled: dismissed")


OPEN_REPORTS = models.Q(status=ReportStatus.OPEN)


# Who reported whom, for what, and how 遇见审核 decided (who and why in each event's context).
@audit.track(fields=["reporter", "reported", "reason", "status", "handled_by", "handled_at"], status="status")
class Report(ChoiceLabels, RowLoaded, models.Model):
    """A participant reported another to the 遇见审核 moderators."""

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="match_reports_made", verbose_name=_("reported by"))
    reported = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                 related_name="match_reports_received", verbose_name=_("reported member"))
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    details = models.TextField(_("details"), max_length=REPORT_DETAILS_MAX, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    created_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("handled by"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [("moderate_report", _("Can warn, suspend or dismiss on a 遇见 report"))]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reporter=models.F("reported")), name="report_not_herself"),
            # One open report of the same person by the same member.
            models.UniqueConstraint(fields=["reporter", "reported"], condition=OPEN_REPORTS, name="report_open_once"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("details"), REPORT_DETAILS_MAX),
                                   name="report_details_length"),
        ]
        # The moderation queue: open first, oldest first.
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue")]

    def __str__(self) -> str:
        return f"{self.reporter_id} → {self.reported_id}"
