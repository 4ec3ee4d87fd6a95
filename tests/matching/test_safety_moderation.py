"""遇见's moderation queue in admin: the 遇见审核 role warns, suspends or dismisses, each decision
recorded with who and why and told through the outbox (the reporter only that it was handled);
a suspended member disappears at once and her waiting requests vanish for their recipients;
staff without the role see nothing; the queue's queries stay constant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matching.models import (
    Introduction,
    IntroductionStatus,
    MatchProfile,
    MatchStatus,
    Report,
    ReportStatus,
    Suggestion,
)
from matching.profiles import MatchError, match_leave
from matching.safety import report_file, reports_decide
from matching.suggestions import suggestions_refresh
from members.models import City, Field
from tests.factories import MemberProfileFactory
from xiangcheng.core import audit
from xiangcheng.core.models import Notice
from xiangcheng.core.roles import ADMINISTRATOR, EVENT_MANAGER, MATCH_MODERATOR, REVIEWER

from .helpers import opted_in, zh

pytestmark = pytest.mark.django_db

QUEUE = "/admin/matching/report/"
NOTE = "多名会员反映其反复索要联系方式。"


def participant(name: str) -> MatchProfile:
    return opted_in(MemberProfileFactory(**({"real_name": name} if name else {})).user, interests=["人工智能"], fields=[Field.AI],
                    cities=[City.SUZHOU])


@pytest.fixture
def moderator(staff_in_group):
    return staff_in_group("yujian", MATCH_MODERATOR.name)


@pytest.fixture
def case():
    """许静 reports 顾岚; 陈曦 is a third participant; each is the others' suggestion."""
    reporter, reported, third = participant("许静"), participant("顾岚"), participant("陈曦")
    for profile in (reporter, reported, third):
        suggestions_refresh(profile=profile)
    report = report_file(reporter=reporter.user, profile_id=reported.pk, reason="harassment", details="反复发消息")
    return {"reporter": reporter, "reported": reported, "third": third, "report": report}


def decide(client, action: str, reports, note: str = NOTE):
    return client.post(QUEUE, {"action": action, "_selected_action": [r.pk for r in reports], "note": note})


def notices(kind: str) -> list[tuple[int, str]]:
    return list(Notice.objects.filter(kind=kind).order_by("pk").values_list("recipient_id", "key"))


def decisions(report: Report) -> list[tuple[str, int, str]]:
    return [(e.label, e.actor_id, e.reason) for e in audit.history(report) if e.label != "created"]



def test_the_queue_lists_open_reports_by_names_only(client, moderator, case):
    handled = report_file(reporter=case["third"].user, profile_id=case["reported"].pk, reason="fraud")
    Report.objects.filter(pk=handled.pk).update(status=ReportStatus.DISMISSED)
    client.force_login(moderator)

    page = client.get(QUEUE)

    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [case["report"]]
    text = page.content.decode()
    assert "许静" in text and "顾岚" in text
    for profile in (case["reporter"], case["reported"]):
        assert profile.user.email not in text and profile.user.username not in text
    assert list(client.get(QUEUE, {"queue": "handled"}).context["cl"].result_list) == [handled]
    detail = client.get(f"{QUEUE}{case['report'].pk}/change/")
    assert detail.status_code == 200 and "反复发消息" in detail.content.decode()


def test_warn_tells_her_and_the_reporter_and_is_recorded(client, moderator, case, django_capture_on_commit_callbacks):
    client.force_login(moderator)
    report = case["report"]

    # The action asks for the reason first; nothing happens yet.
    asked = client.post(QUEUE, {"action": "warn", "_selected_action": [report.pk]})
    assert asked.status_code == 200 and "顾岚" in asked.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.OPEN
    with django_capture_on_commit_callbacks(execute=True):
        assert decide(client, "warn", [report]).status_code == 302

    report.refresh_from_db()
    assert (report.status, report.handled_by) == (ReportStatus.WARNED, moderator)
    assert decisions(report) == [(ReportStatus.WARNED, moderator.pk, NOTE)]
    assert notices("matching.warned") == [(case["reported"].user_id, f"matching.warned:{report.pk}")]
    assert notices("matching.report_handled") == [(case["reporter"].user_id, f"matching.report_handled:{report.pk}")]
    warned = Notice.objects.get(kind="matching.warned")
    handled = Notice.objects.get(kind="matching.report_handled")
    assert (warned.state, handled.state) == (Notice.State.SENT, Notice.State.SENT)
    assert warned.subject == zh("A reminder of 遇见's rules")
    assert handled.subject == zh("Your 遇见 report has been handled")
    # The reporter learns nothing of the outcome or of the other person.
    assert "顾岚" not in handled.body and NOTE not in handled.body and NOTE not in warned.body
    # Still taking part.
    assert MatchProfile.objects.get(pk=case["reported"].pk).status == MatchStatus.ACTIVE


def test_suspend_hides_her_at_once_and_her_waiting_requests_vanish(client, moderator, case):
    reported, third, reporter = case["reported"], case["third"], case["reporter"]
    sent = Introduction.objects.create(sender=reported.user, recipient=third.user, message="你好")
    accepted = Introduction.objects.create(sender=reported.user, recipient=reporter.user, message="你好",
                                           status=IntroductionStatus.ACCEPTED)
    received = Introduction.objects.create(sender=third.user, recipient=reported.user, message="你好")
    client.force_login(moderator)

    assert decide(client, "suspend", [case["report"]]).status_code == 302

    reported.refresh_from_db()
    assert reported.status == MatchStatus.SUSPENDED
    assert Suggestion.objects.filter(profile=reported).count() == 0
    assert Suggestion.objects.filter(candidate=reported).count() == 0
    assert Introduction.objects.get(pk=sent.pk).status == IntroductionStatus.CANCELLED
    assert not Introduction.objects.filter(recipient=third.user, status=IntroductionStatus.PENDING).exists()
    assert Introduction.objects.get(pk=accepted.pk).status == IntroductionStatus.ACCEPTED
    assert Introduction.objects.get(pk=received.pk).status == IntroductionStatus.PENDING
    # Nobody is suggested her again.
    suggestions_refresh(profile=third)
    assert reported.pk not in set(Suggestion.objects.filter(profile=third).values_list("candidate_id", flat=True))
    # Recorded with who and why, on her profile and on the report.
    assert [(e.label, e.actor_id, e.reason) for e in audit.history(reported) if e.label == "suspended"] == [
        ("suspended", moderator.pk, NOTE)]
    assert decisions(case["report"]) == [(ReportStatus.SUSPENDED, moderator.pk, NOTE)]
    [cancelled] = [e for e in audit.history(sent) if e.label == IntroductionStatus.CANCELLED]
    assert (cancelled.actor_id, cancelled.reason) == (moderator.pk, NOTE)
    assert notices("matching.suspended") == [(reported.user_id, f"matching.suspended:{case['report'].pk}")]
    assert notices("matching.report_handled") == [(reporter.user_id, f"matching.report_handled:{case['report'].pk}")]

    # Her pages tell her.
    client.force_login(reported.user)
    for url in ("/meet/suggestions/", "/meet/profile/"):
        assert zh("Suspended from 遇见: nobody sees you in suggestions.") in client.get(url).content.decode()


def test_two_reports_of_her_suspend_her_once(moderator, case):
    second = report_file(reporter=case["third"].user, profile_id=case["reported"].pk, reason="fraud")

    assert reports_decide(report_ids=[case["report"].pk, second.pk], moderator=moderator,
                          outcome=ReportStatus.SUSPENDED, note=NOTE) == 2

    assert notices("matching.suspended") == [(case["reported"].user_id, f"matching.suspended:{case['report'].pk}")]
    assert len(notices("matching.report_handled")) == 2


def test_dismiss_tells_only_the_reporter(client, moderator, case):
    client.force_login(moderator)

    assert decide(client, "dismiss", [case["report"]]).status_code == 302

    assert Report.objects.get(pk=case["report"].pk).status == ReportStatus.DISMISSED
    assert decisions(case["report"]) == [(ReportStatus.DISMISSED, moderator.pk, NOTE)]
    assert notices("matching.warned") == notices("matching.suspended") == []
    assert notices("matching.report_handled") == [
        (case["reporter"].user_id, f"matching.report_handled:{case['report'].pk}")]
    assert MatchProfile.objects.get(pk=case["reported"].pk).status == MatchStatus.ACTIVE


def test_a_decision_needs_a_reason_and_a_handled_report_is_not_decided_again(client, moderator, case):
    client.force_login(moderator)

    empty = decide(client, "suspend", [case["report"]], note="  ")
    assert empty.status_code == 200 and empty.context["form"].errors["note"]
    too_long = decide(client, "suspend", [case["report"]], note="长" * 501)
    assert too_long.status_code == 200 and too_long.context["form"].errors["note"]
    assert Report.objects.get(pk=case["report"].pk).status == ReportStatus.OPEN

    reports_decide(report_ids=[case["report"].pk], moderator=moderator, outcome=ReportStatus.DISMISSED, note=NOTE)
    with pytest.raises(MatchError) as refused:
        reports_decide(report_ids=[case["report"].pk], moderator=moderator, outcome=ReportStatus.WARNED, note=NOTE)
    assert str(refused.value) == zh("None of the chosen reports is open any more.")
    with pytest.raises(MatchError):
        reports_decide(report_ids=[case["report"].pk], moderator=moderator, outcome="banned", note=NOTE)
    assert decisions(case["report"]) == [(ReportStatus.DISMISSED, moderator.pk, NOTE)]


def test_suspending_someone_who_left_is_refused_and_nothing_is_half_done(client, moderator, case):
    other = report_file(reporter=case["reporter"].user, profile_id=case["third"].pk, reason="fraud")
    match_leave(user=case["reported"].user)
    client.force_login(moderator)

    page = client.post(QUEUE, {"action": "suspend", "_selected_action": [other.pk, case["report"].pk],
                               "note": NOTE}, follow=True)

    assert [str(m) for m in page.context["messages"]] == [
        zh("%(name)s has left 遇见: there is nothing to suspend. Warn or dismiss instead.") % {"name": "顾岚"}]
    assert set(Report.objects.values_list("status", flat=True)) == {ReportStatus.OPEN}
    assert MatchProfile.objects.get(pk=case["third"].pk).status == MatchStatus.ACTIVE
    assert Notice.objects.filter(kind__startswith="matching.").count() == 0


@pytest.mark.parametrize("role", [ADMINISTRATOR, REVIEWER, EVENT_MANAGER])
def test_staff_without_the_role_cannot_open_or_decide_the_queue(client, staff_in_group, case, role):
    client.force_login(staff_in_group("other", role.name))

    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{case['report'].pk}/change/").status_code == 403
    assert decide(client, "suspend", [case["report"]]).status_code == 403
    assert Report.objects.get(pk=case["report"].pk).status == ReportStatus.OPEN


def test_a_member_cannot_reach_the_queue(client, case):
    client.force_login(case["reporter"].user)
    assert client.get(QUEUE).status_code == 302
    assert Report.objects.get(pk=case["report"].pk).status == ReportStatus.OPEN


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_the_queue_costs_the_same_queries_for_5_and_50_reports(client, moderator):
    client.force_login(moderator)
    target = participant("顾岚")

    def reports(n):
        for _ in range(n):
            reporter = participant("")
            report_file(reporter=reporter.user, profile_id=target.pk, reason="other")

    reports(5)
    five = _queue_queries(client)
    reports(45)
    assert _queue_queries(client) == five
