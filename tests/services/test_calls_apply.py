"""Applying to calls: the deadline in Xiangcheng's days, one application per member, withdrawing,
the edit lock, approval, and staff publishing or cancelling a call."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone, translation

from members.models import Status
from services import calls
from services.attachments import attachment_check
from services.models import Call, CallApplication, CallApplicationStatus, CallStatus
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.helpers import zh

from .call_helpers import a_call, approved
from .helpers import minimal_pdf, upload

pytestmark = pytest.mark.django_db

XIANGCHENG = ZoneInfo("Asia/Shanghai")
CLOSES_ON = date(2027, 1, 1)
S = CallApplicationStatus


def at(*args) -> datetime:
    return datetime(*args, tzinfo=XIANGCHENG)


def pdf(name="成果.pdf"):
    return attachment_check(upload(name, minimal_pdf(), "application/pdf"))


@pytest.fixture
def applicant(db):
    return approved("linxiaowen", "林晓雯")


# --- the deadline: local days, around midnight -------------------------------------------------------

def test_open_at_2359_on_the_closing_day_and_closed_at_midnight(applicant):
    call = a_call(opens_on=date(2026, 12, 1), closes_on=CLOSES_ON)
    with time_machine.travel(at(2027, 1, 1, 23, 59), tick=False):
        # At 23:59 in Xiangcheng it is 15:59 UTC on the same day; still open.
        assert call.is_open() is True
        application = calls.application_start(call=call, member=applicant, statement="陈述", submit=True)
    assert application.status == S.SUBMITTED

    with time_machine.travel(at(2027, 1, 2, 0, 0), tick=False):
        # 00:00 in Xiangcheng is 16:00 UTC on 1 January: the UTC date is still the closing day.
        assert timezone.now().astimezone(ZoneInfo("UTC")).date() == CLOSES_ON
        assert call.is_open() is False
        assert calls.application_editable(application) is False
        with pytest.raises(calls.CallError) as refused:
            calls.application_edit(application=application, member=applicant, statement="改")
    assert str(refused.value) == zh("Applications closed on %(day)s.", day="2027-01-01")
    application.refresh_from_db()
    assert application.statement == "陈述"


def test_a_first_application_after_midnight_is_refused(applicant):
    call = a_call(opens_on=date(2026, 12, 1), closes_on=CLOSES_ON)
    with time_machine.travel(at(2027, 1, 2, 0, 0), tick=False), pytest.raises(calls.CallError) as refused:
        calls.application_start(call=call, member=applicant, statement="陈述")
    assert str(refused.value) == zh("Applications closed on %(day)s.", day="2027-01-01")
    assert CallApplication.objects.count() == 0


def test_a_call_not_yet_open_refuses_applications(applicant):
    call = a_call(opens_on=date(2027, 1, 2), closes_on=date(2027, 1, 20))
    with time_machine.travel(at(2027, 1, 1, 23, 59), tick=False), pytest.raises(calls.CallError) as refused:
        calls.application_start(call=call, member=applicant, statement="陈述")
    assert str(refused.value) == zh("Applications open on %(day)s.", day="2027-01-02")


# --- one per member -----------------------------------------------------------------------------------

def test_a_second_application_to_the_same_call_gets_a_clear_message(applicant):
    call = a_call()
    first = calls.application_start(call=call, member=applicant, statement="第一次")
    with pytest.raises(calls.CallError) as refused:
        calls.application_start(call=call, member=applicant, statement="第二次")
    assert str(refused.value) == zh("You have already applied to this call. Open it from My applications.")
    assert list(CallApplication.objects.values_list("pk", "statement")) == [(first.pk, "第一次")]


def test_another_member_applies_to_the_same_call(applicant):
    call = a_call()
    calls.application_start(call=call, member=applicant, statement="一")
    calls.application_start(call=call, member=approved("zhouyiran"), statement="二")
    assert CallApplication.objects.filter(call=call).count() == 2


# --- drafts, submitting, files --------------------------------------------------------------------------

def test_a_draft_is_saved_then_submitted_with_its_files(applicant):
    call = a_call()
    draft = calls.application_start(call=call, member=applicant, statement="", files=[pdf()])
    assert (draft.status, draft.submitted_at) == (S.STARTED, None)
    with pytest.raises(calls.CallError) as refused:
        calls.application_edit(application=draft, member=applicant, statement="  ", submit=True)
    assert (str(refused.value), refused.value.field) == (zh("Write your statement before submitting."), "statement")

    submitted = calls.application_edit(application=draft, member=applicant, statement="我的陈述", submit=True,
                                       files=[pdf("证明.pdf")])
    submitted.refresh_from_db()
    assert (submitted.status, submitted.statement) == (S.SUBMITTED, "我的陈述")
    assert submitted.submitted_at is not None
    assert sorted(a.name for a in submitted.attachments.all()) == ["成果.pdf", "证明.pdf"]


def test_at_most_five_files_in_all(applicant):
    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述",
                                          files=[pdf(f"{n}.pdf") for n in range(4)])
    with pytest.raises(calls.CallError) as refused:
        calls.application_edit(application=application, member=applicant, statement="新陈述",
                               files=[pdf("5.pdf"), pdf("6.pdf")])
    assert str(refused.value) == zh("An application may have at most %(n)d files; it has %(present)d.",
                                    n=5, present=4)
    application.refresh_from_db()
    # Nothing half-saved: neither the statement nor a fifth file.
    assert (application.statement, application.attachments.count()) == ("陈述", 4)


# --- withdrawing ------------------------------------------------------------------------------------

def test_withdrawing_is_audited_and_final(applicant):
    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述", submit=True)

    calls.application_withdraw(application=application, member=applicant)

    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    event = CallApplication.pgh_event_model.objects.filter(pgh_obj=application, pgh_label=S.WITHDRAWN).get()
    assert (event.pgh_context["user"], event.pgh_context["reason"]) == (applicant.pk, "withdrawn by the applicant")
    assert calls.application_editable(application) is False
    for step in (lambda: calls.application_withdraw(application=application, member=applicant),
                 lambda: calls.application_edit(application=application, member=applicant, statement="再来")):
        with pytest.raises(calls.CallError) as refused:
            step()
        with translation.override(settings.LANGUAGE_CODE):
            status = str(application.get_status_display())
        assert str(refused.value) == zh("This application can no longer be changed (%(status)s).", status=status)


# --- the edit lock --------------------------------------------------------------------------------

def test_no_change_once_staff_started_reviewing(applicant):
    call = a_call()
    application = calls.application_start(call=call, member=applicant, statement="陈述", files=[pdf()], submit=True)
    Call.objects.filter(pk=call.pk).update(review_started_at=timezone.now())
    application = CallApplication.objects.select_related("call").get(pk=application.pk)

    assert calls.application_editable(application) is False
    message = zh("Staff have started reviewing the applications: they can no longer be changed.")
    for step in (lambda: calls.application_edit(application=application, member=applicant, statement="改"),
                 lambda: calls.application_withdraw(application=application, member=applicant),
                 lambda: calls.attachment_delete(attachment=application.attachments.get(), member=applicant)):
        with pytest.raises(calls.CallError) as refused:
            step()
        assert str(refused.value) == message
    application.refresh_from_db()
    assert (application.status, application.statement, application.attachments.count()) == (S.SUBMITTED, "陈述", 1)


@pytest.mark.parametrize("status", [S.SHORTLISTED, S.RECOMMENDED, S.NOT_SELECTED])
def test_no_change_once_past_submitted(applicant, status):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述", submit=True)
    CallApplication.objects.filter(pk=application.pk).update(status=status)
    application.refresh_from_db()
    assert calls.application_editable(application) is False
    with pytest.raises(calls.CallError):
        calls.application_edit(application=application, member=applicant, statement="改")
    with pytest.raises(calls.CallError):
        calls.application_withdraw(application=application, member=applicant)
    application.refresh_from_db()
    assert (application.status, application.statement) == (status, "陈述")


def test_a_cancelled_call_takes_no_application(applicant):
    call = a_call(status=CallStatus.CANCELLED)
    with pytest.raises(calls.CallError) as refused:
        calls.application_start(call=call, member=applicant, statement="陈述")
    assert str(refused.value) == zh("This call was cancelled.")


# --- only approved members ---------------------------------------------------------------------------

@pytest.mark.parametrize("status", [Status.PENDING, Status.REJECTED])
def test_members_not_approved_are_refused(status):
    member = MemberProfileFactory(status=status, rejection_reason="资料不全" if status == Status.REJECTED else "").user
    with pytest.raises(calls.CallError) as refused:
        calls.application_start(call=a_call(), member=member, statement="陈述")
    assert str(refused.value) == zh("Only approved members can apply. Your membership is not approved yet.")
    assert CallApplication.objects.count() == 0


def test_an_account_without_a_profile_is_refused():
    with pytest.raises(calls.CallError):
        calls.application_start(call=a_call(), member=UserFactory(), statement="陈述")
    assert CallApplication.objects.count() == 0


def test_nobody_changes_another_members_application(applicant):
    application = calls.application_start(call=a_call(), member=applicant, statement="陈述")
    other = approved("zhouyiran")
    with pytest.raises(calls.CallError):
        calls.application_edit(application=application, member=other, statement="篡改")
    with pytest.raises(calls.CallError):
        calls.application_withdraw(application=application, member=other)
    application.refresh_from_db()
    assert (application.statement, application.status) == ("陈述", S.STARTED)


# --- staff: publish and cancel ---------------------------------------------------------------------------

def test_publishing_a_draft_and_cancelling_it_are_audited():
    staff = StaffFactory(username="fulian")
    call = a_call(status=CallStatus.DRAFT)

    published = calls.call_publish(call=call, actor=staff)
    assert (published.status, published.published_at is not None) == (CallStatus.PUBLISHED, True)
    with pytest.raises(calls.CallError):
        calls.call_publish(call=call, actor=staff)

    cancelled = calls.call_cancel(call=call, actor=staff, reason="主办方延期")
    assert cancelled.status == CallStatus.CANCELLED
    events = {e.pgh_label: e.pgh_context for e in Call.pgh_event_model.objects.filter(pgh_obj=call)}
    assert events[CallStatus.PUBLISHED]["user"] == staff.pk
    assert (events[CallStatus.CANCELLED]["user"], events[CallStatus.CANCELLED]["reason"]) == (staff.pk, "主办方延期")
    with pytest.raises(calls.CallError):
        calls.call_cancel(call=call, actor=staff)


def test_a_call_already_closed_is_not_published():
    staff = StaffFactory(username="fulian")
    today = timezone.localdate()
    call = a_call(status=CallStatus.DRAFT, opens_on=today - timedelta(days=9), closes_on=today - timedelta(days=1))
    with pytest.raises(calls.CallError):
        calls.call_publish(call=call, actor=staff)
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
