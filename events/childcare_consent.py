"""The guardian's separate consent to process her children's data for childcare (PIPL: minors
under 14 are sensitive personal information), and withdrawing it (我的授权).

Booking childcare needs it: ``sign_up`` refuses children without it (``ChildcareConsentMissing``)
and records it here, with the version of its text, when she books. Withdrawing it
(events.consent_sources) erases the children's data on her registrations for events still to
come (``booking.children_data_erase``); past registrations keep their counts for the records.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.consent_kinds import ConsentItem
from members.consents import consent_grant, consent_in_force
from members.models import Consent, User
from xiangcheng.core.compiled_queries import CompiledQuery, Read

from .models import ACTIVE_STATUSES, Registration

# The version of the consent's text (events.forms.SignUpForm.children_consent). A new text gets a
# new version; consents already given keep theirs.
CHILDCARE_CONSENT_VERSION = "2026-12"

KIND = Consent.Kind.CHILDCARE_CHILDREN


def children_consent_record(*, user: User) -> Consent:
    """Record her consent (call in the sign-up's transaction); one row per version of the text."""
    existing = (Consent.objects.filter(user=user, kind=KIND, version=CHILDCARE_CONSENT_VERSION,
                                       withdrawn_at__isnull=True).first())
    return existing or consent_grant(user=user, kind=KIND, version=CHILDCARE_CONSENT_VERSION)


def _future_with_children_of(user_id: int, now: datetime):
    return (Registration.objects.filter(user_id=user_id, status__in=ACTIVE_STATUSES, children_count__gt=0,
                                        event__starts_at__gt=now)
            .order_by("event_id"))


def future_with_children(user: User):
    """Her registrations for events still to come that carry children's data."""
    return _future_with_children_of(user.pk, timezone.now())


# 我的授权's read of them, with what the row shows of each event: its SQL built once per process.
_BOOKED = CompiledQuery(lambda user_id, now: _future_with_children_of(user_id, now).select_related("event").only(
    "children_count", "created_at", "event__title", "event__starts_at"), user_id=int, now=datetime)


def childcare_read(user: User) -> Read:
    """Her childcare consent, with the coming events her children are booked for (one query of
    its own)."""
    return _BOOKED.read(user_id=user.pk, now=timezone.now()).then(lambda booked: _childcare_items(user, booked))


def _childcare_items(user: User, booked: list[Registration]) -> list[ConsentItem]:
    consent = consent_in_force(user=user, kind=KIND)
    if consent is None and not booked:
        return []
    detail = "；".join(
        ngettext("%(event)s: %(count)d child", "%(event)s: %(count)d children", r.children_count)
        % {"event": r.event.title, "count": r.children_count} for r in booked)
    return [ConsentItem(
        key="children", title=_("Children's data for childcare"),
        version=consent.version if consent else "",
        given_at=consent.granted_at if consent else booked[0].created_at,
        detail=detail or _("No childcare booked for a coming event."),
    )]
