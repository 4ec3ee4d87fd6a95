"""Staff review applications to calls: 已提交 → 初审通过 / 未通过 (with a reason) → 已推荐 → 入选 / 获奖 / 未入选.

Every decision happens here, in one transaction with the audit context (who, why) and the notice
to the applicant. The first decision on a call starts its review (``review_started_at``): from
then on her application can no longer be edited. A call's ``places``, when set, caps how many the
district recommends; the call row is locked while the recommendations are counted, so two staff
recommending for the last place at the same moment cannot both have it.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from xiangcheng.core.audit import audit_context
from xiangcheng.core.related_counts import related_count

from .call_notices import notify_status
from .models import Call, CallApplication, CallApplicationStatus, CallStatus

S = CallApplicationStatus

# The lock is what keeps the recommendation limit; tests switch it off once to prove the race
# test catches two recommendations for the last place.
LOCK_CALL = True

# Each decision and the statuses it may follow.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    S.SHORTLISTED: frozenset({S.SUBMITTED}),
    S.NOT_SHORTLISTED: frozenset({S.SUBMITTED, S.SHORTLISTED}),
    S.RECOMMENDED: frozenset({S.SHORTLISTED}),
    S.SELECTED: frozenset({S.RECOMMENDED}),
    S.AWARDED: frozenset({S.RECOMMENDED}),
    S.NOT_SELECTED: frozenset({S.RECOMMENDED}),
}
RESULTS = frozenset({S.SELECTED, S.AWARDED, S.NOT_SELECTED})
# Applications the district has recommended: those recommended and those with a result since.
RECOMMENDED_STATUSES = frozenset({S.RECOMMENDED, *RESULTS})

# Why each decision was taken, as the audit trail shows it (translated when shown).
_REASONS = {
    S.SHORTLISTED: gettext_noop("Passed first review"),
    S.RECOMMENDED: gettext_noop("Recommended"),
    S.SELECTED: gettext_noop("Result recorded: selected"),
    S.AWARDED: gettext_noop("Result recorded: awarded"),
    S.NOT_SELECTED: gettext_noop("Result recorded: not selected"),
}


class CallReviewError(Exception):
    """A review rule said no; the message is translated and shown to staff as it is."""


def _refused_transition(application: CallApplication, to: str) -> CallReviewError:
    return CallReviewError(
        _("%(call)s #%(pk)d is %(status)s: it cannot become %(to)s.")
        % {"call": application.call.title, "pk": application.pk, "status": application.get_status_display(),
           "to": S(to).label})


def _locked_calls(call_ids: Iterable[int]) -> dict[int, Call]:
    """The calls, in id order; locked until the transaction ends (unless LOCK_CALL is off)."""
    calls = Call.objects.filter(pk__in=set(call_ids)).order_by("pk")
    if LOCK_CALL:
        calls = calls.select_for_update()
    return {call.pk: call for call in calls}


def _applications_counted(condition: Q):
    """How many of the call's applications meet ``condition``, as a column of each call."""
    return related_count(CallApplication.objects.filter(condition), to="call")


def calls_counted(calls: QuerySet[Call]) -> QuerySet[Call]:
    """Calls with ``applications_total`` (every application but those not yet submitted) and
    ``submitted_total`` (those awaiting review): counted by a subquery for each call listed, not
    by grouping every application of every call before a page is cut (staff's list of calls)."""
    return calls.annotate(
        applications_total=_applications_counted(~Q(status=CallApplicationStatus.STARTED)),
        submitted_total=_applications_counted(Q(status=CallApplicationStatus.SUBMITTED)))


def recommended_count(call: Call) -> int:
    """How many of the call's places are taken: recommended, or with a result since."""
    return CallApplication.objects.filter(call=call, status__in=RECOMMENDED_STATUSES).count()


def places_left(call: Call) -> int | None:
    """Places the district may still recommend for, or None when the call has no limit."""
    if call.places is None:
        return None
    return max(call.places - recommended_count(call), 0)


def _start_review(call: Call, now: datetime) -> None:
    if call.review_started_at is None:
        call.review_started_at = now
        call.save(update_fields=["review_started_at", "updated_at"])


def review_start(*, call: Call, actor) -> Call:
    """Start reviewing a published call: from now on its applications can no longer be edited."""
    with transaction.atomic(), audit_context(actor=actor, reason=gettext_noop("Review started")):
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.status != CallStatus.PUBLISHED:
            raise CallReviewError(_("%(call)s is not published: there is nothing to review.") % {"call": call.title})
        if call.review_started_at is not None:
            raise CallReviewError(_("The review of %(call)s has already started.") % {"call": call.title})
        _start_review(call, timezone.now())
    return call


def applications_decide(*, application_ids: Iterable[int], actor, to: str, reason: str = "") -> int:
    """Take one decision (``to``) on each chosen application: all of them, or none with the reason why.

    Refusing (未通过) needs a reason, which she reads. Recommending checks each call's places
    with the call locked. Returns how many applications changed.
    """
    if to not in ALLOWED_FROM:
        raise CallReviewError(_("This is not a review decision."))
    reason = reason.strip()
    if to == S.NOT_SHORTLISTED and not reason:
        raise CallReviewError(_("Please give a reason: the applicant reads it."))
    ids = sorted(set(application_ids))
    if not ids:
        return 0
    with transaction.atomic(), audit_context(actor=actor, reason=reason or _REASONS[to]):
        # The calls first, then their applications: the order every decision takes them in.
        calls = _locked_calls(CallApplication.objects.filter(pk__in=ids).values_list("call_id", flat=True))
        applications = list(CallApplication.objects.select_for_update(of=("self",)).filter(pk__in=ids)
                             .select_related("call").order_by("pk"))
        for application in applications:
            if application.status not in ALLOWED_FROM[to]:
                raise _refused_transition(application, to)
        if to == S.RECOMMENDED:
            _check_places(calls, applications)
        now = timezone.now()
        for application in applications:
            _start_review(calls[application.call_id], now)
            application.status = to
            application.reason = reason if to == S.NOT_SHORTLISTED else application.reason
            application.decided_at = now
            application.save(update_fields=["status", "reason", "decided_at", "updated_at"])
            notify_status(application=application, status=to, reason=reason if to == S.NOT_SHORTLISTED else "")
    return len(applications)


def _check_places(calls: dict[int, Call], applications: list[CallApplication]) -> None:
    wanted: dict[int, int] = {}
    for application in applications:
        wanted[application.call_id] = wanted.get(application.call_id, 0) + 1
    for call_id, count in wanted.items():
        call = calls[call_id]
        left = places_left(call)
        if left is not None and count > left:
            raise CallReviewError(
                _("%(call)s may recommend %(places)d; %(left)d places are left, %(n)d chosen.")
                % {"call": call.title, "places": call.places, "left": left, "n": count})


def application_decide(*, application: CallApplication, actor, to: str, reason: str = "") -> CallApplication:
    """One application's decision (``applications_decide`` for one)."""
    applications_decide(application_ids=[application.pk], actor=actor, to=to, reason=reason)
    return CallApplication.objects.select_related("call").get(pk=application.pk)


def application_shortlist(*, application: CallApplication, actor) -> CallApplication:
    """初审通过."""
    return application_decide(application=application, actor=actor, to=S.SHORTLISTED)


def application_refuse(*, application: CallApplication, actor, reason: str) -> CallApplication:
    """未通过, with the reason she reads."""
    return application_decide(application=application, actor=actor, to=S.NOT_SHORTLISTED, reason=reason)


def application_recommend(*, application: CallApplication, actor) -> CallApplication:
    """已推荐, within the call's places."""
    return application_decide(application=application, actor=actor, to=S.RECOMMENDED)


def application_record_result(*, application: CallApplication, actor, result: str) -> CallApplication:
    """入选, 获奖 or 未入选, once the organiser has decided."""
    if result not in RESULTS:
        raise CallReviewError(_("A result is selected, awarded or not selected."))
    return application_decide(application=application, actor=actor, to=result)


def application_set_notes(*, application: CallApplication, actor, notes: str) -> CallApplication:
    """Staff's own notes on an application (never shown to her)."""
    with transaction.atomic(), audit_context(actor=actor, reason=gettext_noop("Staff notes")):
        application = CallApplication.objects.select_for_update().get(pk=application.pk)
        application.staff_notes = notes.strip()
        application.save(update_fields=["staff_notes", "updated_at"])
    return application
