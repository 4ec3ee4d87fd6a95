"""What members keeps about her, for 我的数据 (members.data_sources): her account, her profile
with its photo, her consents, the organisations she represents and the stories that asked to
name her."""

from allauth.account.models import EmailAddress
from django.utils.translation import gettext_lazy as _

from .data_sources import ExportFile, exported_file, personal_data_source
from .models import Consent, MemberProfile, Representative, StoryFeature, User


def account(user: User) -> tuple[dict, list[ExportFile]]:
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "username": user.username,
        "email": user.email,
        "mobile": user.phone,
        "mobile_verified": user.phone_verified,
        "joined_at": user.date_joined,
        "last_login_at": user.last_login,
        "email_addresses": [{"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses],
    }, []


def profile(user: User) -> tuple[dict | None, list[ExportFile]]:
    found = MemberProfile.objects.filter(user=user).first()
    if found is None:
        return None, []
    files: list[ExportFile] = []
    return {
        "real_name": found.real_name,
        "category": found.get_category_display(),
        "organisation": found.organisation,
        "job_title": found.job_title,
        "field": found.get_field_display(),
        "expertise": found.expertise,
        "bio": found.bio,
        "city": found.get_city_display(),
        "photo": exported_file(source="profile", name="photo.jpg", file=found.avatar, files=files),
        "status": found.get_status_display(),
        "applied_at": found.submitted_at,
        "reviewed_at": found.reviewed_at,
        "reason_for_not_approving": found.rejection_reason,
        "listed_in_directory": found.listed_in_directory,
        "fields_other_members_may_see": found.visible_fields,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }, files


def consents(user: User) -> tuple[list, list[ExportFile]]:
    return [{
        "consent": row.get_kind_display(),
        "version": row.version,
        "given_at": row.granted_at,
        "withdrawn_at": row.withdrawn_at,
    } for row in Consent.objects.filter(user=user).order_by("granted_at", "pk")], []


def organisations(user: User) -> tuple[list, list[ExportFile]]:
    rows = Representative.objects.filter(user=user).select_related("organisation").order_by("joined_at", "pk")
    return [{
        "organisation": row.organisation.name,
        "credit_code": row.organisation.credit_code,
        "verification": row.organisation.get_status_display(),
        "registered_by_you": row.organisation.registered_by_id == user.pk,
        "representative_since": row.joined_at,
    } for row in rows], []


def story_features(user: User) -> tuple[list, list[ExportFile]]:
    rows = StoryFeature.objects.filter(member=user).select_related("story").order_by("asked_at", "pk")
    return [{
        "story": row.story.title,
        "answer": row.get_status_display(),
        "asked_at": row.asked_at,
        "answered_at": row.answered_at,
    } for row in rows], []


def register() -> None:
    personal_data_source(key="account", label=_("Account"), collect=account, order=10)
    personal_data_source(key="profile", label=_("Member profile"), collect=profile, order=11)
    personal_data_source(key="consents", label=_("Consents"), collect=consents, order=12)
    personal_data_source(key="organisations", label=_("Organisations you represent"), collect=organisations,
                         order=13)
    personal_data_source(key="story_features", label=_("Stories that asked to name you"), collect=story_features,
                         order=14)
