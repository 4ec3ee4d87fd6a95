"""A service request's life: draft → awaiting review → published or not (with a reason) → closed by
its organisation, or expired once its deadline has passed.

Only a verified organisation's representative posts (``members.organisations.posting_organisation``
answers the view). An edit to a published request is kept in ``pending_changes`` until staff
approve it: the public copy stays as it was. Every status change happens here, inside an audit
context naming who and why; the representatives are told of staff decisions through the outbox.
"""

from datetime import date, datetime
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from members.models import Organisation
from xiangcheng.core.audit import audit_context

from .models import RequestStatus, ServiceRequest
from .request_models import first_open_day, past_deadline_q
from .request_notices import notify_representatives

# What an organisation writes; an edit to a published request holds new values of these.
EDITABLE = ["category", "title", "description", "field", "budget", "deadline"]
EDITABLE_STATUSES = {RequestStatus.DRAFT, RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.PUBLISHED}
CLOSABLE_STATUSES = {RequestStatus.DRAFT, RequestStatus.PENDING, RequestStatus.REJECTED, RequestStatus.PUBLISHED}


class RequestError(Exception):
    """A rule of the request's life said no; the message is translated and shown as it is."""


def check_deadline(*, deadline: date) -> None:
    """The one rule for a deadline she sets: not before today in Xiangcheng (the form asks it too)."""
    if deadline < first_open_day():
        raise RequestError(_("The deadline cannot be in the past."))


# --- the organisation's side -------------------------------------------------------------------

def request_create(*, organisation: Organisation, author, data: dict, submit: bool = False) -> ServiceRequest:
    """A new request of her organisation, saved as a draft or sent for review at once."""
    check_deadline(deadline=data["deadline"])
    with transaction.atomic(), audit_context(actor=author):
        service_request = ServiceRequest.objects.create(
            organisation=organisation, author=author, **{name: data[name] for name in EDITABLE})
        if submit:
            _submit(service_request, author)
    return service_request


def _locked(service_request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().get(pk=service_request.pk)


def _serialised(data: dict) -> dict:
    return {name: data[name].isoformat() if isinstance(data[name], date) else data[name] for name in EDITABLE}


def _deserialised(changes: dict) -> dict:
    values = dict(changes)
    if "deadline" in values:
        values["deadline"] = date.fromisoformat(values["deadline"])
    return values


def pending_values(service_request: ServiceRequest) -> dict:
    """What the edit form starts from: the public values with any edit awaiting review applied."""
    return {**{name: getattr(service_request, name) for name in EDITABLE},
            **_deserialised(service_request.pending_changes)}


def request_edit(*, service_request: ServiceRequest, author, data: dict, submit: bool = False) -> ServiceRequest:
    """Save her changes. A published request keeps its public copy; the edit waits for review."""
    check_deadline(deadline=data["deadline"])
    with transaction.atomic(), audit_context(actor=author):
        service_request = _locked(service_request)
        if service_request.status not in EDITABLE_STATUSES:
            raise RequestError(_("A closed or expired request cannot be edited."))
        if service_request.status == RequestStatus.PUBLISHED:
            changes = {name: value for name, value in _serialised(data).items()
                       if value != _serialised({n: getattr(service_request, n) for n in EDITABLE})[name]}
            service_request.pending_changes = changes
            service_request.submitted_at = timezone.now() if changes else service_request.submitted_at
            service_request.save(update_fields=["pending_changes", "submitted_at", "updated_at"])
            return service_request
        for name in EDITABLE:
            setattr(service_request, name, data[name])
        service_request.save()
        if submit and service_request.status in {RequestStatus.DRAFT, RequestStatus.REJECTED}:
            _submit(service_request, author)
    return service_request


def _submit(service_request: ServiceRequest, actor) -> None:
    service_request.status = RequestStatus.PENDING
    service_request.rejection_reason = ""
    service_request.submitted_at = timezone.now()
    with audit_context(actor=actor, reason=gettext_noop("Sent for review")):
        service_request.save(update_fields=["status", "rejection_reason", "submitted_at", "updated_at"])


def request_submit(*, service_request: ServiceRequest, actor) -> ServiceRequest:
    """A draft (or a request staff did not publish, once corrected) goes to staff for review."""
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status not in {RequestStatus.DRAFT, RequestStatus.REJECTED}:
            raise RequestError(_("Only a draft or a request that was not published can be sent for review."))
        check_deadline(deadline=service_request.deadline)
        _submit(service_request, actor)
    return service_request


def request_close(*, service_request: ServiceRequest, actor) -> ServiceRequest:
    """The organisation closes its request: members no longer see it listed nor respond."""
    with transaction.atomic(), audit_context(actor=actor, reason=gettext_noop("Closed by the organisation")):
        service_request = _locked(service_request)
        if service_request.status not in CLOSABLE_STATUSES:
            raise RequestError(_("This request is already closed or expired."))
        service_request.status = RequestStatus.CLOSED
        service_request.pending_changes = {}
        service_request.closed_at = timezone.now()
        service_request.save(update_fields=["status", "pending_changes", "closed_at", "updated_at"])
    return service_request


# --- staff ---------------------------------------------------------------------------------------

def awaiting_review_q() -> Q:
    """New requests awaiting review, and published ones with an edit awaiting it."""
    return Q(status=RequestStatus.PENDING) | (Q(status=RequestStatus.PUBLISHED) & ~Q(pending_changes={}))


def _awaiting_locked(request_ids) -> list[ServiceRequest]:
    """The chosen requests that await a decision, locked in id order (two staff deciding at once
    queue; the second finds nothing left to decide)."""
    return list(ServiceRequest.objects.select_for_update().filter(awaiting_review_q(), pk__in=list(request_ids))
                .order_by("pk"))


class Published(NamedTuple):
    """What a publish decision did: how many went public, how many were refused for their deadline."""

    published: int
    past_deadline: int


def requests_publish(*, request_ids, reviewer) -> Published:
    """Publish new requests and apply edits to published ones. A request (or edit) whose deadline
    has already passed is not published — it would expire at once — and stays awaiting review."""
    decided = refused = 0
    with transaction.atomic(), audit_context(actor=reviewer, reason=gettext_noop("Published")):
        for service_request in _awaiting_locked(request_ids):
            now = timezone.now()
            if service_request.status == RequestStatus.PENDING:
                service_request.status = RequestStatus.PUBLISHED
                service_request.published_at = now
                what = "published"
            else:
                for name, value in _deserialised(service_request.pending_changes).items():
                    setattr(service_request, name, value)
                what = "edit_published"
            if service_request.past_deadline(now):
                refused += 1  # not saved: the row stays as it was
                continue
            service_request.pending_changes = {}
            service_request.rejection_reason = ""
            service_request.save()
            notify_representatives(service_request=service_request, what=what, key=now.isoformat())
            decided += 1
    return Published(published=decided, past_deadline=refused)


def requests_reject(*, request_ids, reviewer, reason: str) -> int:
    """Refuse new requests (not published) or edits (the public copy stays), with a reason."""
    reason = reason.strip()
    if not reason:
        raise RequestError(_("Please give a reason: the organisation reads it."))
    decided = 0
    with transaction.atomic(), audit_context(actor=reviewer, reason=reason):
        for service_request in _awaiting_locked(request_ids):
            now = timezone.now()
            if service_request.status == RequestStatus.PENDING:
                service_request.status = RequestStatus.REJECTED
                service_request.rejection_reason = reason
                what = "rejected"
                service_request.save(update_fields=["status", "rejection_reason", "updated_at"])
            else:
                service_request.pending_changes = {}
                what = "edit_rejected"
                service_request.save(update_fields=["pending_changes", "updated_at"])
            notify_representatives(service_request=service_request, what=what, key=now.isoformat(),
                                   reason=reason)
            decided += 1
    return decided


# --- the expiry job --------------------------------------------------------------------------------

def requests_expire(*, now: datetime | None = None) -> int:
    """Mark every published request whose deadline has passed as expired, in one statement."""
    with transaction.atomic(), audit_context(reason=gettext_noop("The deadline passed")):
        return (ServiceRequest.objects.filter(past_deadline_q(now), status=RequestStatus.PUBLISHED)
                .update(status=RequestStatus.EXPIRED, pending_changes={}, closed_at=now or timezone.now()))
