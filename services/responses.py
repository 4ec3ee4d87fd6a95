"""Members respond to service requests; the organisation accepts or declines; contacts by consent.

She chooses which of her verified contacts (email, mobile) this organisation may see — none by
default — and the choice is recorded with its time (audited). Before acceptance the organisation
sees her name, job title and field only. On acceptance the representative chooses likewise which
of his or her contacts she may see; both sides are told, and each then sees the other's shared
contacts on the request's pages. ``contacts_shown`` is the one rule deciding that; no list,
notice, export or admin page shows a contact.
"""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.contacts import Contact, verified_email, verified_emails, verified_phone
from members.models import Representative
from members.profiles import is_approved_member
from xiangcheng.core.audit import audit_context

from .models import RequestResponse, ResponseStatus, ServiceRequest
from .request_notices import notify_response


class ResponseError(Exception):
    """A rule of responding said no; the message is translated and shown as it is."""


def contacts_shown(*, responses: Sequence[RequestResponse], viewer) -> dict[int, list[Contact]]:
    """The one rule for contacts: which of the other side's contacts ``viewer`` may see on each
    response (by response pk). None before acceptance; after it, the member sees what the
    accepting representative shared, and the organisation's representatives see what she
    shared — only verified contacts, read now. Nobody else sees any, staff included.

    Two queries for any number of responses (load them with ``request``, ``member`` and
    ``decided_by``).
    """
    shown: dict[int, list[Contact]] = {response.pk: [] for response in responses}
    accepted = [response for response in responses if response.status == ResponseStatus.ACCEPTED]
    if not accepted or not viewer.is_authenticated:
        return shown
    hers = set(Representative.objects.filter(
        user=viewer, organisation_id__in={response.request.organisation_id for response in accepted})
        .values_list("organisation_id", flat=True))
    wanted = []  # (response, whose contacts, email shared, mobile shared)
    for response in accepted:
        if response.member_id == viewer.pk and response.decided_by is not None:
            wanted.append((response, response.decided_by, response.org_share_email, response.org_share_phone))
        elif response.request.organisation_id in hers:
            wanted.append((response, response.member, response.share_email, response.share_phone))
    verified = verified_emails([user for _response, user, email, _phone in wanted if email])
    for response, user, email, phone in wanted:
        if email and user.pk in verified:
            shown[response.pk].append(Contact(_("Email"), user.email))
        if phone and (number := verified_phone(user)):
            shown[response.pk].append(Contact(_("Mobile"), number))
    return shown


def response_create(*, service_request: ServiceRequest, member, message: str, share_email: bool = False,
                    share_phone: bool = False) -> RequestResponse:
    """Her response, once per request, with the contacts she consents to share (recorded now).
    Only an approved member responds: requests are posted to the alliance's members."""
    if not is_approved_member(member):
        raise ResponseError(_("Service requests are for approved members of the alliance."))
    message = message.strip()
    if not message:
        raise ResponseError(_("Please write a message to the organisation."))
    if Representative.objects.filter(organisation_id=service_request.organisation_id, user=member).exists():
        raise ResponseError(_("You represent this organisation: you cannot respond to its own request."))
    try:
        with transaction.atomic(), audit_context(actor=member, reason=gettext_noop("Responded, consent to contacts")):
            locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
            if not locked.is_open():
                raise ResponseError(_("This request no longer takes responses."))
            response = RequestResponse.objects.create(
                request=locked, member=member, message=message,
                share_email=bool(share_email and verified_email(member)),
                share_phone=bool(share_phone and verified_phone(member)), consented_at=timezone.now())
            notify_response(response=response, kind="received")
    except IntegrityError:
        raise ResponseError(_("You have already responded to this request.")) from None
    return response


def _decide(*, response: RequestResponse, representative, status: str, reason: str, **fields) -> RequestResponse:
    with transaction.atomic(), audit_context(actor=representative, reason=reason):
        locked = RequestResponse.objects.select_for_update().select_related("request").get(pk=response.pk)
        if locked.status != ResponseStatus.SENT:
            raise ResponseError(_("This response has already been answered."))
        locked.status = status
        locked.decided_by = representative
        locked.decided_at = timezone.now()
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        notify_response(response=locked, kind=status)
    return locked


def response_accept(*, response: RequestResponse, representative, share_email: bool = False,
                    share_phone: bool = False) -> RequestResponse:
    """Accept her response; the representative's own consent to share is recorded the same way."""
    return _decide(response=response, representative=representative, status=ResponseStatus.ACCEPTED,
                   reason=gettext_noop("Accepted, consent to contacts"),
                   org_share_email=bool(share_email and verified_email(representative)),
                   org_share_phone=bool(share_phone and verified_phone(representative)))


def response_decline(*, response: RequestResponse, representative) -> RequestResponse:
    return _decide(response=response, representative=representative, status=ResponseStatus.DECLINED,
                   reason=gettext_noop("Declined"))
