"""What 遇见 keeps about her, for 我的数据 (members.data_sources): her match profile, the
suggestions she is shown, her introductions and connections as she sees them (a declined request
looks to its sender as it does on her page; nobody blocked either way), and the people she
blocked or reported. The other person appears by the name her pages show, nothing more."""

from django.utils.translation import gettext_lazy as _

from members.data_sources import ExportFile, personal_data_source
from members.models import User
from members.profiles import person_name

from .cards import shown_card
from .introductions import CONNECTED, RECEIVED, SEEN_LABELS, SENT, introductions_listed, status_seen
from .models import Block, MatchProfile, Report
from .suggestions import suggestions_for


def _choices(values: list[str], choices) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values]


def match_profile(user: User) -> tuple[dict | None, list[ExportFile]]:
    profile = MatchProfile.objects.filter(user=user).first()
    if profile is None:
        return None, []
    field = MatchProfile._meta.get_field
    return {
        "purposes": _choices(profile.purposes, field("purposes").base_field.choices),
        "interests": profile.interests,
        "fields": _choices(profile.fields, field("fields").base_field.choices),
        "cities": _choices(profile.cities, field("cities").base_field.choices),
        "introduction": profile.introduction,
        "show_photo": profile.show_photo,
        "age_sought_from": profile.age_min,
        "age_sought_to": profile.age_max,
        "who_sees_the_age_range": profile.get_age_visibility_display(),
        "hometown": profile.hometown,
        "who_sees_the_hometown": profile.get_hometown_visibility_display(),
        "status": profile.get_status_display(),
        "real_name": profile.real_name,
        "why_the_real_name_was_not_verified": profile.check_reason,
        "real_name_checked_at": profile.checked_at,
        "joined_at": profile.joined_at,
        "updated_at": profile.updated_at,
    }, []


def suggestions(user: User) -> tuple[list, list[ExportFile]]:
    profile = MatchProfile.objects.filter(user=user).first()
    if profile is None:
        return [], []
    return [{
        "person": shown_card(viewer=profile, shown=row).name,
        "why": row.reasons_text,
        "computed_at": row.computed_at,
    } for row in suggestions_for(profile=profile)], []


def _introductions(user: User, tab: str) -> list[dict]:
    listed = []
    for row in introductions_listed(user=user, tab=tab):
        sent = row.sender_id == user.pk
        listed.append({
            "direction": "sent" if sent else "received",
            "person": person_name(row.recipient if sent else row.sender),
            "message": row.message,
            "status": str(SEEN_LABELS[status_seen(row, viewer=user)]),
            "you_share_email": row.sender_shares_email if sent else row.recipient_shares_email,
            "you_share_mobile": row.sender_shares_phone if sent else row.recipient_shares_phone,
            "sent_at": row.created_at,
            "answered_at": row.answered_at if (not sent or tab == CONNECTED) else None,
        })
    return listed


def introductions(user: User) -> tuple[list, list[ExportFile]]:
    return _introductions(user, SENT) + _introductions(user, RECEIVED), []


def connections(user: User) -> tuple[list, list[ExportFile]]:
    return _introductions(user, CONNECTED), []


def safety(user: User) -> tuple[dict, list[ExportFile]]:
    blocks = Block.objects.filter(blocker=user).select_related("blocked__profile").order_by("created_at", "pk")
    reports = Report.objects.filter(reporter=user).select_related("reported__profile").order_by("created_at", "pk")
    return {
        "blocked": [{"person": person_name(row.blocked), "blocked_at": row.created_at} for row in blocks],
        "reported": [{"person": person_name(row.reported), "reason": row.get_reason_display(),
                      "details": row.details, "status": row.get_status_display(), "reported_at": row.created_at}
                     for row in reports],
    }, []


def register() -> None:
    personal_data_source(key="meet_profile", label=_("遇见 profile"), collect=match_profile, order=40)
    personal_data_source(key="meet_suggestions", label=_("遇见 suggestions shown to you"), collect=suggestions,
                         order=41)
    personal_data_source(key="meet_introductions", label=_("遇见 requests sent and received"),
                         collect=introductions, order=42)
    personal_data_source(key="meet_connections", label=_("遇见 connections"), collect=connections, order=43)
    personal_data_source(key="meet_safety", label=_("遇见: people you blocked or reported"), collect=safety,
                         order=44)
