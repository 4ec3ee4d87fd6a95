"""Accounts, member profiles and consents (相汇她同盟). Every review decision is in the audit trail."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.credit_codes import credit_code_check
from xiangcheng.core import audit
from xiangcheng.core.choice_labels import ChoiceLabels
from xiangcheng.core.row_loading import RowLoaded
from xiangcheng.core.storage import served_privately
from xiangcheng.core.text_search import characters_index

MAINLAND_MOBILE = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland China mobile number starting with 13–19.")
)


@audit.track(fields=["is_active", "is_staff", "is_superuser"])
class User(RowLoaded, AbstractUser):
    """An account. Signs in with a verified email address or a mainland mobile number."""

    phone = models.CharField(
        _("mobile number"), max_length=11, null=True, blank=True, db_index=True,
        validators=[MAINLAND_MOBILE],
    )
    phone_verified = models.BooleanField(_("mobile number verified"), default=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            # A number is hers once she proves it with a code: an unverified sign-up must not
            # hold someone else's number (members/phone_numbers.py releases it on verification).
            models.UniqueConstraint(fields=["phone"], condition=models.Q(phone_verified=True),
                                    name="unique_verified_phone"),
        ]
        indexes = [
            # The handful of superusers among 100,000 accounts (offered as inbox assignees).
            models.Index(fields=["id"], name="superusers", condition=models.Q(is_superuser=True)),
            # The few dozen staff, by name (the audit trail's "done by" filter, supervisors).
            models.Index(fields=["username"], name="staff", condition=models.Q(is_staff=True)),
        ]

    def __str__(self) -> str:
        return self.email or self.phone or self.username


class Category(models.TextChoices):
    RESEARCHER = "researcher", _("Researcher")
    ENGINEER = "engineer", _("Engineer or technician")
    ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
    STUDENT = "student", _("University student")
    OTHER = "other", _("Other")


class Field(models.TextChoices):
    """Research or industry field; the district's key sectors first."""

    DIGITAL_FINANCE = "digital_finance", _("Digital finance")
    ADVANCED_MATERIALS = "advanced_materials", _("Advanced materials")
    CONNECTED_VEHICLES = "connected_vehicles", _("Intelligent connected vehicles")
    BLOCKCHAIN = "blockchain", _("Blockchain")
    INDUSTRIAL_INTERNET = "industrial_internet", _("Industrial internet")
    AI = "ai", _("Artificial intelligence")
    INTEGRATED_CIRCUITS = "integrated_circuits", _("Integrated circuits")
    BIOMEDICINE = "biomedicine", _("Biomedicine")
    OTHER = "other", _("Other")


class City(models.TextChoices):
    """Yangtze River Delta cities, Suzhou first."""

    SUZHOU = "suzhou", _("Suzhou")
    SHANGHAI = "shanghai", _("Shanghai")
    NANJING = "nanjing", _("Nanjing")
    WUXI = "wuxi", _("Wuxi")
    CHANGZHOU = "changzhou", _("Changzhou")
    NANTONG = "nantong", _("Nantong")
    HANGZHOU = "hangzhou", _("Hangzhou")
    NINGBO = "ningbo", _("Ningbo")
    JIAXING = "jiaxing", _("Jiaxing")
    HUZHOU = "huzhou", _("Huzhou")
    HEFEI = "hefei", _("Hefei")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", _("Not yet applied")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class VisibleField(models.TextChoices):
    """Profile fields a member may choose to show to other members in the directory."""

    ORGANISATION = "organisation", _("Organisation")
    JOB_TITLE = "job_title", _("Job title")
    FIELD = "field", _("Field")
    EXPERTISE = "expertise", _("Expertise")
    CITY = "city", _("City")
    BIO = "bio", _("Short bio")
    AVATAR = "avatar", _("Photo")


# The rows the directory's indexes cover (members.queries.LISTED adds the account's state).
DIRECTORY_ROWS = models.Q(status=Status.APPROVED, listed_in_directory=True)


def _avatar_path(instance: "MemberProfile", filename: str) -> str:
    # The upload's own name is never kept: it may carry personal information.
    return f"avatars/{uuid.uuid4().hex}.jpg"


def _thumb_path(instance: "MemberProfile", filename: str) -> str:
    return f"avatars/thumbs/{uuid.uuid4().hex}.jpg"


def photo_storage():
    """Photos are private files, served by ``members:photo`` only to whom she lets see them."""
    return served_privately("members:photo")


# Membership decisions: who applied, who approved or rejected, and why. The profile's own
# content (bio, photo …) is not copied into the audit trail.
@audit.track(fields=["user", "status", "submitted_at", "reviewed_at", "reviewed_by", "rejection_reason"],
             status="status")
class MemberProfile(ChoiceLabels, RowLoaded, models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
        verbose_name=_("account"),
    )
    real_name = models.CharField(_("real name"), max_length=40)
    category = models.CharField(_("member category"), max_length=20, choices=Category.choices)
    organisation = models.CharField(_("organisation"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    expertise = ArrayField(
        models.CharField(max_length=20), verbose_name=_("expertise tags"), default=list,
        blank=True, size=8,
    )
    bio = models.TextField(_("short bio"), max_length=500, blank=True)
    city = models.CharField(_("city"), max_length=20, choices=City.choices)
    avatar = models.ImageField(_("photo"), upload_to=_avatar_path, storage=photo_storage, blank=True)
    avatar_thumb = models.ImageField(_("photo thumbnail"), upload_to=_thumb_path, storage=photo_storage,
                                     blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )
    rejection_reason = models.TextField(_("reason for not approving"), blank=True)

    # Privacy: off the directory unless she opts in; and then only the fields she picks.
    listed_in_directory = models.BooleanField(_("shown in the member directory"), default=False)
    visible_fields = ArrayField(
        models.CharField(max_length=20, choices=VisibleField.choices),
        verbose_name=_("fields other members may see"), default=list, blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        permissions = [("review_memberprofile", _("Can approve or reject membership"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="rejection_has_reason",
            )
        ]
        # The directory reads listed members only: its search and its order by name are
        # indexed over them alone (members.queries.directory_profiles).
        indexes = [
            models.Index(fields=["status", "listed_in_directory"]),
            models.Index(fields=["status", "submitted_at"], name="review_queue"),  # the admin's order
            models.Index(fields=["real_name", "id"], name="directory_by_name", condition=DIRECTORY_ROWS),
            characters_index("real_name", name="directory_name_chars", condition=DIRECTORY_ROWS),
            characters_index("organisation", name="directory_organisation_chars", condition=DIRECTORY_ROWS),
            GinIndex(fields=["expertise"], name="directory_tags", condition=DIRECTORY_ROWS),
        ]

    def __str__(self) -> str:
        return self.real_name

    @property
    def is_approved(self) -> bool:
        return self.status == Status.APPROVED

    def shows(self, field: str) -> bool:
        return field in self.visible_fields


class Consent(RowLoaded, models.Model):
    """A separate, recorded consent (PIPL): what, which version, when given, when withdrawn."""

    class Kind(models.TextChoices):
        PRIVACY_POLICY = "privacy_policy", _("Privacy policy")
        DIRECTORY = "directory", _("Listing in the member directory")
        # 遇见 (matching): taking part, and its stricter 交友 circle (which includes her
        # confirmation that she is single).
        MATCHING = "matching", _("Taking part in 遇见")
        MATCHING_FRIENDSHIP = "matching_friends", _("The 交友 circle of 遇见 (and being single)")
        # Being named in one of the alliance's stories (members/story_features.py: the story is on
        # the StoryFeature row that points at this consent).
        STORY_FEATURE = "story_feature", _("Being named in an alliance story")
        # 我的授权: a guardian's separate consent to process her children's data for childcare at
        # events (minors under 14: sensitive personal information), asked when she books childcare.
        CHILDCARE_CHILDREN = "childcare_children", _("Children's data for childcare (guardian's consent)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents",
        verbose_name=_("account"),
    )
    kind = models.CharField(_("consent"), max_length=20, choices=Kind.choices)
    version = models.CharField(_("policy version"), max_length=20)
    granted_at = models.DateTimeField(_("given at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-granted_at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} {self.version}"


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    FINANCIAL = "financial", _("Financial institution")
    SOCIAL = "social", _("Social organisation")


class OrganisationSize(models.TextChoices):
    MICRO = "micro", _("Fewer than 20 people")
    SMALL = "small", _("20–99 people")
    MEDIUM = "medium", _("100–999 people")
    LARGE = "large", _("1,000 people or more")


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Not verified")


class WomenLed(models.TextChoices):
    """The women-led badge an organisation claims; staff confirm it before it is shown."""

    NO = "", _("No")
    FOUNDER = "founder", _("Founded by a woman")
    EXECUTIVE = "executive", _("Led by women executives")


def _logo_path(instance: "Organisation", filename: str) -> str:
    return f"logos/{uuid.uuid4().hex}.jpg"


def _logo_thumb_path(instance: "Organisation", filename: str) -> str:
    return f"logos/thumbs/{uuid.uuid4().hex}.jpg"


# Verification decisions (who, when, why) and the badge staff confirm; not the description.
@audit.track(fields=["name", "credit_code", "status", "reviewed_at", "reviewed_by", "rejection_reason",
                     "women_led", "women_led_confirmed"], status="status")
class Organisation(ChoiceLabels, RowLoaded, models.Model):
    """An enterprise, university, institute, bank or social organisation (相链她科企).

    Only a verified organisation posts service requests and jobs (``organisations.may_post``).
    """

    name = models.CharField(_("organisation name"), max_length=100)
    # 统一社会信用代码, checked with its GB 32100 check character; one code, one organisation.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True,
                                   validators=[credit_code_check],
                                   error_messages={"unique": _("This organisation is already registered: "
                                                               "ask its representative to invite you.")})
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    industry = models.CharField(_("industry"), max_length=30, choices=Field.choices)
    size = models.CharField(_("size"), max_length=20, choices=OrganisationSize.choices)
    city = models.CharField(_("city"), max_length=20, choices=City.choices)
    district = models.CharField(_("district or county"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200)
    description = models.TextField(_("description"), max_length=2000)
    logo = models.ImageField(_("logo"), upload_to=_logo_path, blank=True)
    logo_thumb = models.ImageField(_("logo thumbnail"), upload_to=_logo_thumb_path, blank=True)
    # Public: an office phone, a recruitment mailbox, a website. Never a person's own contact.
    public_contact = models.CharField(_("public contact"), max_length=100)
    status = models.CharField(_("verification"), max_length=20, choices=OrganisationStatus.choices,
                              default=OrganisationStatus.PENDING)
    rejection_reason = models.TextField(_("reason for not verifying"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    women_led = models.CharField(_("women-led"), max_length=20, choices=WomenLed.choices, blank=True,
                                 default=WomenLed.NO)
    women_led_confirmed = models.BooleanField(_("women-led badge confirmed by staff"), default=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        permissions = [("verify_organisation", _("Can verify or reject organisations"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(rejection_reason=""),
                name="organisation_rejection_has_reason",
            ),
            models.CheckConstraint(condition=models.Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                                   name="credit_code_format"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="organisation_review_queue")]

    def __str__(self) -> str:
        return self.name

    @property
    def badge(self) -> str:
        """The women-led badge as shown: only once staff confirmed it."""
        return self.get_women_led_display() if self.women_led and self.women_led_confirmed else ""


@audit.track(fields=["organisation", "user", "invited_by"])
class Representative(RowLoaded, models.Model):
    """A person who acts for an organisation. Any account: a member or not, a woman or not."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="representatives",
                                     verbose_name=_("organisation"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations",
                             verbose_name=_("account"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("invited by"),
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_representation")]
        indexes = [models.Index(fields=["user", "organisation"], name="representations_of_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


# --- Invitations to represent an organisation ---------------------------------------------------
@audit.track(fields=["accepted_at", "accepted_by", "revoked"])
class OrganisationInvitation(RowLoaded, models.Model):
    """A representative asks a colleague (by email address or mobile number) to represent the
    organisation too. The link carries ``token``; it works once, for the account that verified
    that address or number, until ``expires_at`` (``members.invitations.invitation_expired``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations",
                                     verbose_name=_("organisation"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("invited by"))
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("mobile number"), max_length=11, blank=True, validators=[MAINLAND_MOBILE])
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("accepted by"))
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("invitation to represent an organisation")
        verbose_name_plural = _("invitations to represent an organisation")
        constraints = [
            # Exactly one of the two addresses.
            models.CheckConstraint(condition=(~models.Q(email="") & models.Q(phone=""))
                                   | (models.Q(email="") & ~models.Q(phone="")), name="invitation_one_address"),
        ]
        indexes = [models.Index(fields=["organisation", "created_at"], name="invitations_of_organisation")]

    def __str__(self) -> str:
        return f"{self.email or self.phone} · {self.organisation}"


# --- 我的数据: exports of her personal data (data_export_models.py) ---------------------------------
from .data_export_models import DataExport, DataExportStatus  # noqa: E402, F401

# --- 注销账号: account deletions waiting for or done by the erasure job (erasure_models.py) ------
from .erasure_models import AccountErasure  # noqa: E402, F401

# --- Stories (科创故事): members a story features, with their consent (story_feature_models.py) ----
from .story_feature_models import StoryFeature, StoryFeatureStatus  # noqa: E402, F401
