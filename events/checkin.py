"""Tickets and check-in: a QR code carries a signed URL that staff open on their phone."""

from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import User

from .models import Registration, RegistrationStatus

_SIGNER = signing.Signer(salt="events.checkin")


class CheckinError(Exception):
    """The code is not a valid ticket, or the ticket cannot be checked in."""


@dataclass(frozen=True)
class AlreadyCheckedIn(Exception):
    at: datetime


def ticket_token(registration: Registration) -> str:
    return _SIGNER.sign(str(registration.pk))


def checkin_url(registration: Registration) -> str:
    return settings.SITE_URL + reverse("events:checkin", args=[ticket_token(registration)])


def ticket_qr_svg(registration: Registration) -> str:
    """An inline SVG QR code of the signed check-in URL."""
    # No fixed width/height: the page sizes it; a 4-module quiet zone as the spec asks.
    return segno.make(checkin_url(registration), error="m").svg_inline(scale=5, border=4, omitsize=True)


def registration_from_token(token: str) -> Registration:
    try:
        pk = int(_SIGNER.unsign(token))
    except (signing.BadSignature, ValueError):
        raise CheckinError(_("This code is not a valid ticket.")) from None
    registration = (Registration.objects.select_related("event", "user__profile")
                    .filter(pk=pk).first())
    if registration is None:
        raise CheckinError(_("This code is not a valid ticket."))
    return registration


def check_in(*, registration: Registration, staff: User) -> Registration:
    """Mark her as arrived, once. A second scan raises AlreadyCheckedIn with the first time."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.CONFIRMED:
            raise CheckinError(_("This registration is not confirmed (%(status)s).")
                               % {"status": registration.get_status_display()})
        if registration.checked_in_at is not None:
            raise AlreadyCheckedIn(at=registration.checked_in_at)
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = staff
        registration.save(update_fields=["checked_in_at", "checked_in_by"])
    return registration


def attendance(event) -> tuple[int, int]:
    """(checked in, confirmed) for the whole event, whatever list filter staff are using."""
    counts = event.registrations.filter(status=RegistrationStatus.CONFIRMED).aggregate(
        confirmed=Count("pk"), attended=Count("pk", filter=Q(checked_in_at__isnull=False)))
    return counts["attended"], counts["confirmed"]
