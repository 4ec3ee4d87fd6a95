"""Staff review applications to calls: the allowed steps, the refused ones, the reason, the places,
the notice to her at each step and the audit trail."""

import pytest
from django.conf import settings
from django.utils import timezone, translation

from services import call_reviews
from services.call_reviews import CallReviewError
from services.models import CallApplication
from tests.helpers import zh
from xiangcheng.core import audit
from xiangcheng.core.models import Notice

from .call_review_support import S, application, call, reviewer

pytestmark = pytest.mark.django_db


def label(status: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(S(status).label)


def notices(kind: str = "calls.status") -> list[tuple[int, str, dict]]:
    return [(n.recipient_id, n.key, n.data) for n in Notice.objects.filter(kind=kind).order_by("pk")]


def test_the_whole_way_to_an_award_tells_her_each_step_and_records_who(committed, outbox):
    staff = reviewer()
    the_call = call(places=2)
    mine = application(the_call)
    with committed():
        call_reviews.application_shortlist(application=mine, actor=staff)
        call_reviews.application_recommend(application=mine, actor=staff)
        done = call_reviews.application_record_result(application=mine, actor=staff, result=S.AWARDED)

    assert done.status == S.AWARDED
    assert done.decided_at is not None
    the_call.refresh_from_db()
    assert the_call.review_started_at is not None  # her application can no longer be edited
    assert notices() == [
        (mine.member_id, f"calls.status:{mine.pk}:shortlisted", {"status": "shortlisted", "reason": ""}),
        (mine.member_id, f"calls.status:{mine.pk}:recommended", {"status": "recommended", "reason": ""}),
        (mine.member_id, f"calls.status:{mine.pk}:awarded", {"status": "awarded", "reason": ""}),
    ]
    assert list(Notice.objects.filter(kind="calls.status").order_by("pk").values_list("subject", flat=True)) == [
        zh("Your application to %(title)s: %(status)s", title=the_call.title, status=zh(label))
        for label in ["Passed first review", "Recommended", "Awarded"]]
    assert [m.to for m in outbox] == [[mine.member.email]] * 3
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(done)][-3:] == [
        ("shortlisted", staff.pk, "Passed first review"), ("recommended", staff.pk, "Recommended"),
        ("awarded", staff.pk, "Result recorded: awarded")]
    # 我的消息 lists them, linked to the call's page.
    assert set(Notice.objects.filter(kind="calls.status").values_list("url", flat=True)) == {
        the_call.get_absolute_url()}


def test_refused_with_a_reason_she_reads(committed, outbox):
    staff = reviewer()
    mine = application(call())
    with committed():
        done = call_reviews.application_refuse(application=mine, actor=staff, reason="  代表性成果不足  ")
    assert (done.status, done.reason) == (S.NOT_SHORTLISTED, "代表性成果不足")
    assert notices() == [(mine.member_id, f"calls.status:{mine.pk}:not_shortlisted",
                          {"status": "not_shortlisted", "reason": "代表性成果不足"})]
    [mail] = outbox
    assert zh("Reason: %(reason)s", reason="代表性成果不足") in mail.body
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(done)][-1] == (
        "not_shortlisted", staff.pk, "代表性成果不足")


def test_a_refusal_without_a_reason_is_refused_and_changes_nothing():
    mine = application(call())
    with pytest.raises(CallReviewError) as refused:
        call_reviews.application_refuse(application=mine, actor=reviewer(), reason="   ")
    assert str(refused.value) == zh("Please give a reason: the applicant reads it.")
    mine.refresh_from_db()
    assert mine.status == S.SUBMITTED
    assert notices() == []


def test_shortlisted_may_still_be_refused():
    mine = application(call(), status=S.SHORTLISTED)
    assert call_reviews.application_refuse(application=mine, actor=reviewer(), reason="名额有限").status == (
        S.NOT_SHORTLISTED)


@pytest.mark.parametrize(("start", "to"), [
    (S.STARTED, S.SHORTLISTED), (S.WITHDRAWN, S.SHORTLISTED), (S.SUBMITTED, S.RECOMMENDED),
    (S.SUBMITTED, S.SELECTED), (S.SHORTLISTED, S.SHORTLISTED), (S.SHORTLISTED, S.AWARDED),
    (S.NOT_SHORTLISTED, S.SHORTLISTED), (S.NOT_SHORTLISTED, S.RECOMMENDED), (S.RECOMMENDED, S.NOT_SHORTLISTED),
    (S.AWARDED, S.NOT_SELECTED), (S.SELECTED, S.RECOMMENDED), (S.STARTED, S.NOT_SHORTLISTED),
])
def test_only_the_allowed_steps(start, to):
    the_call = call()
    mine = application(the_call, status=start, reason="旧理由" if start == S.NOT_SHORTLISTED else "")
    with pytest.raises(CallReviewError) as refused:
        call_reviews.application_decide(application=mine, actor=reviewer(), to=to, reason="理由")
    assert str(refused.value) == zh("%(call)s #%(pk)d is %(status)s: it cannot become %(to)s.",
                                    call=the_call.title, pk=mine.pk, status=label(start), to=label(to))
    mine.refresh_from_db()
    assert mine.status == start
    assert notices() == []
    the_call.refresh_from_db()
    assert the_call.review_started_at is None


def test_a_selection_is_decided_all_or_nothing():
    the_call = call()
    ready, withdrawn = application(the_call), application(the_call, status=S.WITHDRAWN)
    with pytest.raises(CallReviewError):
        call_reviews.applications_decide(application_ids=[ready.pk, withdrawn.pk], actor=reviewer(),
                                         to=S.SHORTLISTED)
    assert sorted(CallApplication.objects.values_list("status", flat=True)) == sorted([S.SUBMITTED, S.WITHDRAWN])
    assert notices() == []


def test_not_a_decision_and_not_a_result():
    staff = reviewer()
    mine = application(call(), status=S.RECOMMENDED)
    with pytest.raises(CallReviewError) as refused:
        call_reviews.application_decide(application=mine, actor=staff, to=S.WITHDRAWN)
    assert str(refused.value) == zh("This is not a review decision.")
    with pytest.raises(CallReviewError) as refused:
        call_reviews.application_record_result(application=mine, actor=staff, result=S.RECOMMENDED)
    assert str(refused.value) == zh("A result is selected, awarded or not selected.")


def test_the_places_cannot_be_exceeded():
    staff = reviewer()
    the_call = call(places=2)
    earlier = application(the_call, status=S.SELECTED)  # a place taken by an earlier recommendation
    first, second, third = (application(the_call, status=S.SHORTLISTED) for _ in range(3))
    assert call_reviews.places_left(the_call) == 1

    # Two chosen for one place left: neither is recommended.
    with pytest.raises(CallReviewError) as refused:
        call_reviews.applications_decide(application_ids=[first.pk, second.pk], actor=staff, to=S.RECOMMENDED)
    assert str(refused.value) == zh("%(call)s may recommend %(places)d; %(left)d places are left, %(n)d chosen.",
                                    call=the_call.title, places=2, left=1, n=2)
    assert CallApplication.objects.filter(status=S.RECOMMENDED).count() == 0

    call_reviews.application_recommend(application=first, actor=staff)
    with pytest.raises(CallReviewError):
        call_reviews.application_recommend(application=third, actor=staff)
    assert sorted(CallApplication.objects.filter(call=the_call).values_list("pk", "status")) == sorted([
        (earlier.pk, S.SELECTED), (first.pk, S.RECOMMENDED), (second.pk, S.SHORTLISTED), (third.pk, S.SHORTLISTED)])
    assert call_reviews.places_left(the_call) == 0


def test_no_places_set_means_no_limit():
    the_call = call(places=None)
    chosen = [application(the_call, status=S.SHORTLISTED) for _ in range(4)]
    assert call_reviews.applications_decide(application_ids=[a.pk for a in chosen], actor=reviewer(),
                                            to=S.RECOMMENDED) == 4
    assert call_reviews.places_left(the_call) is None


def test_starting_the_review():
    staff = reviewer()
    the_call = call()
    started = call_reviews.review_start(call=the_call, actor=staff)
    assert started.review_started_at is not None
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(started)][-1][1:] == (staff.pk, "Review started")
    with pytest.raises(CallReviewError) as refused:
        call_reviews.review_start(call=the_call, actor=staff)
    assert str(refused.value) == zh("The review of %(call)s has already started.", call=the_call.title)
    draft = call(title="未发布的申报", status="draft")
    with pytest.raises(CallReviewError) as refused:
        call_reviews.review_start(call=draft, actor=staff)
    assert str(refused.value) == zh("%(call)s is not published: there is nothing to review.", call=draft.title)


def test_staff_notes_are_kept_and_never_told():
    mine = application(call())
    before = timezone.now()
    noted = call_reviews.application_set_notes(application=mine, actor=reviewer(), notes=" 需核实论文第一作者 ")
    assert noted.staff_notes == "需核实论文第一作者"
    assert noted.updated_at >= before
    assert noted.status == S.SUBMITTED
    assert notices() == []
