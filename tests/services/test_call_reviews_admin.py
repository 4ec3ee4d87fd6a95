"""The review admin of applications to calls, as 申报评审, the administrator and other staff see it:
the list (never her contacts), the decisions as actions, the refusal's reason page, staff notes,
the attached files, and what each role may do."""

import pytest
from django.urls import reverse

from services.models import CallApplication
from tests.factories import AGENT_GROUP, StaffFactory
from tests.helpers import label, messages_of, queries_for, zh, zh_n
from xiangcheng.core import audit
from xiangcheng.core.models import Notice

from .call_review_support import S, administrator, applicant, application, attachment, call, reviewer

pytestmark = pytest.mark.django_db
LIST = reverse("admin:services_callapplication_changelist")


def change_url(target) -> str:
    return reverse("admin:services_callapplication_change", args=[target.pk])


def file_url(target, found) -> str:
    return reverse("admin:services_callapplication_attachment", args=[target.pk, found.pk])


def act(client, action: str, targets, **extra):
    return client.post(LIST, {"action": action, "_selected_action": [t.pk for t in targets], **extra}, follow=True)


def test_the_list_names_her_and_never_her_contacts(client):
    the_call = call()
    her = applicant("林晓雯")
    her.phone = "13912345678"
    her.save()
    application(the_call, member=her)
    client.force_login(reviewer())
    page = client.get(LIST)
    assert page.status_code == 200
    text = page.content.decode()
    assert "林晓雯" in text and the_call.title in text
    assert her.email not in text and "13912345678" not in text
    # Search by the call's title, filter by the call's kind and the status.
    assert [a.member_id for a in client.get(LIST, {"q": "青年女科学家"}).context["cl"].result_list] == [her.pk]
    assert list(client.get(LIST, {"q": "互联网营销"}).context["cl"].result_list) == []
    assert client.get(LIST, {"call__kind__exact": "contest"}).context["cl"].result_count == 0
    assert client.get(LIST, {"status__exact": "submitted", "call__kind__exact": "talent"}).context[
        "cl"].result_count == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_costs_the_same_queries_at_5_and_50_rows(client, rows):
    the_call = call()
    for _ in range(rows):
        application(the_call)
    client.force_login(reviewer())
    assert queries_for(client, LIST) == QUERIES


def test_the_list_reads_only_what_its_rows_show_and_an_action_gets_them_whole(client):
    the_call = call()
    her = application(the_call, member=applicant("林晓雯"))
    client.force_login(reviewer())

    shown = client.get(LIST).context["cl"].result_list[0]
    assert {"statement", "staff_notes", "reason", "created_at"} <= shown.get_deferred_fields()
    assert shown.get_deferred_fields().isdisjoint({"status", "submitted_at", "decided_at", "call_id", "member_id"})
    assert shown.call.get_deferred_fields() >= {"summary", "eligibility"}
    # Actions are given the admin's own queryset, every column read.
    response = client.get(LIST)
    model_admin = response.context["cl"].model_admin
    assert model_admin.get_queryset(response.wsgi_request).get(pk=her.pk).get_deferred_fields() == set()


QUERIES = 4  # the same at 5 and 50 rows: names and calls come with the rows; her permissions with her account


def test_shortlist_then_recommend_then_result_through_the_actions(client, committed, outbox):
    staff = reviewer()
    the_call = call(places=1)
    first, second = application(the_call), application(the_call)
    client.force_login(staff)
    with committed():
        done = act(client, "shortlist", [first, second])
    assert messages_of(done) == [zh_n("%(n)d application is now %(status)s.", "%(n)d applications are now %(status)s.",
                                      2, status=label(S.SHORTLISTED))]
    with committed():
        act(client, "recommend", [first])
        refused = act(client, "recommend", [second])  # the one place is taken
        act(client, "record_selected", [first])
    assert messages_of(refused) == [zh("%(call)s may recommend %(places)d; %(left)d places are left, %(n)d chosen.",
                                       call=the_call.title, places=1, left=0, n=1)]
    assert dict(CallApplication.objects.values_list("pk", "status")) == {first.pk: S.SELECTED, second.pk: S.SHORTLISTED}
    assert sorted(Notice.objects.filter(kind="calls.status").values_list("recipient_id", "data__status")) == sorted([
        (first.member_id, "shortlisted"), (second.member_id, "shortlisted"), (first.member_id, "recommended"),
        (first.member_id, "selected")])
    assert len(outbox) == 4


def test_refusing_asks_for_the_reason_first(client, committed, outbox):
    staff = reviewer()
    mine = application(call())
    client.force_login(staff)
    ask = client.post(LIST, {"action": "refuse", "_selected_action": [mine.pk]})
    assert ask.status_code == 200
    assert ask.templates[0].name == "admin/services/callapplication/refuse.html"
    # An empty reason: the page again, with the field's error; nothing changed.
    again = client.post(LIST, {"action": "refuse", "_selected_action": [mine.pk], "reason": "  "})
    assert again.status_code == 200
    assert again.context["form"].errors == {"reason": [zh("This field is required.")]}
    mine.refresh_from_db()
    assert mine.status == S.SUBMITTED
    with committed():
        act(client, "refuse", [mine], reason="代表性成果不足")
    mine.refresh_from_db()
    assert (mine.status, mine.reason) == (S.NOT_SHORTLISTED, "代表性成果不足")
    [mail] = outbox
    assert mail.to == [mine.member.email]
    assert "代表性成果不足" in mail.body


def test_an_impossible_step_is_a_message_not_an_error(client):
    started = application(call(), status=S.STARTED)
    client.force_login(reviewer())
    done = act(client, "shortlist", [started])
    assert done.status_code == 200
    assert messages_of(done) == [zh("%(call)s #%(pk)d is %(status)s: it cannot become %(to)s.",
                                    call=started.call.title, pk=started.pk, status=label(S.STARTED),
                                    to=label(S.SHORTLISTED))]
    started.refresh_from_db()
    assert started.status == S.STARTED


def test_starting_the_review_from_the_list(client):
    staff = reviewer()
    the_call = call()
    mine = application(the_call)
    client.force_login(staff)
    done = act(client, "start_review", [mine])
    assert messages_of(done) == [zh_n("The review of %(n)d call has started.", "The review of %(n)d calls has started.",
                                      1)]
    the_call.refresh_from_db()
    assert the_call.review_started_at is not None


def test_the_change_page_shows_her_statement_and_files_and_keeps_notes(client, committed):
    staff = reviewer()
    mine = application(call(), statement="十年功能薄膜研究，主持省级项目两项。")
    found = attachment(mine)
    client.force_login(staff)
    page = client.get(change_url(mine))
    text = page.content.decode()
    assert "十年功能薄膜研究，主持省级项目两项。" in text
    assert f'href="{file_url(mine, found)}"' in text
    assert mine.member.email not in text
    saved = client.post(change_url(mine), {"staff_notes": "需核实论文第一作者"})
    assert saved.status_code == 302
    mine.refresh_from_db()
    assert (mine.staff_notes, mine.status) == ("需核实论文第一作者", S.SUBMITTED)
    assert Notice.objects.count() == 0


def test_the_reviewer_opens_the_files_and_the_opening_is_recorded(client):
    staff = reviewer()
    mine = application(call())
    found = attachment(mine, content=b"%PDF-1.4 demo\n%%EOF\n")
    client.force_login(staff)
    response = client.get(file_url(mine, found))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo\n%%EOF\n"
    assert response["Content-Type"] == "application/pdf"
    last = audit.history(mine)[-1]
    assert (last.label, last.actor_id, last.context["what"], last.context["file"]) == (
        audit.EXPORTED, staff.pk, "application attachment", "代表作.pdf")
    # Another application's number with this file: not found.
    other = application(mine.call)
    assert client.get(file_url(other, found)).status_code == 404


def test_what_the_administrator_and_other_staff_may_do(client):
    mine = application(call())
    found = attachment(mine)
    admin_user = administrator()
    client.force_login(admin_user)
    assert client.get(LIST).status_code == 200
    assert client.get(change_url(mine)).status_code == 200
    # She reads; she decides nothing, exports nothing and opens no file.
    assert client.get(LIST).context["action_form"] is None
    assert client.get(file_url(mine, found)).status_code == 404
    client.post(change_url(mine), {"staff_notes": "x"})
    mine.refresh_from_db()
    assert mine.staff_notes == ""

    agent = StaffFactory(username="kefu", groups=[AGENT_GROUP])
    client.force_login(agent)
    assert client.get(LIST).status_code == 403
    assert client.get(file_url(mine, found)).status_code == 404


def test_the_reviewer_role_holds_exactly_its_grants():
    staff = reviewer()
    assert {p for p in staff.get_all_permissions() if p.startswith("services.")} == {
        "services.view_call", "services.add_call", "services.change_call", "services.view_callapplication",
        "services.change_callapplication", "services.review_callapplication", "services.view_callattachment"}
    assert not staff.has_perm("services.delete_call")
    assert not staff.has_perm("services.view_ticket")
    admin_user = administrator()
    assert {"services.view_call", "services.view_callapplication"} <= admin_user.get_all_permissions()
    assert not admin_user.has_perm("services.review_callapplication")
    assert not admin_user.has_perm("services.view_callattachment")


def test_reviewer_actions_listed(client):
    application(call())
    client.force_login(reviewer())
    actions = [name for name, _label in client.get(LIST).context["action_form"].fields["action"].choices if name]
    assert actions == ["start_review", "shortlist", "refuse", "recommend", "record_selected", "record_awarded",
                       "record_not_selected", "export_applicants"]


def test_the_calls_list_counts_each_calls_applications_and_those_awaiting_review(client):
    busy = call(title="青年女科学家推荐")
    call(title="巾帼创新创业大赛")  # created later: first in the list's own order
    for status in (S.STARTED, S.SUBMITTED, S.SUBMITTED, S.SHORTLISTED):
        application(busy, status=status)
    client.force_login(administrator())

    response = client.get(reverse("admin:services_call_changelist"))

    assert response.status_code == 200
    assert {c.title: (c.applications_total, c.submitted_total) for c in response.context["cl"].result_list} == {
        "青年女科学家推荐": (3, 2), "巾帼创新创业大赛": (0, 0)}
    # Sorted by how many applied, as the column's header offers.
    by_count = client.get(reverse("admin:services_call_changelist"), {"o": "-9"})
    assert [c.title for c in by_count.context["cl"].result_list] == ["青年女科学家推荐", "巾帼创新创业大赛"]
