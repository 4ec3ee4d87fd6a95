"""The agents' queue in the Django admin: filters, search, assigning, answering, history, statistics."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from services import inbox
from services.history import Step, ticket_history
from services.models import (
    CannedReply,
    Category,
    Priority,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from tests.factories import AGENT_GROUP
from tests.helpers import label, messages_of, squash, zh
from xiangcheng.core.models import Notice

from .helpers import due_in, form_values, mail_subject, member_mail_body, submit

A = Step
S = TicketStatus
QUEUE = reverse("admin:services_ticket_changelist")
NOTE = "内部备注：需要先和科技局确认。"

pytestmark = pytest.mark.django_db


def _refs(response) -> list[str]:
    assert response.status_code == 200
    return [t.reference for t in response.context["cl"].result_list]


def _change(client, ticket, **changes):
    """Open the ticket's change form as the agent sees it, change some fields, press Save."""
    url = reverse("admin:services_ticket_change", args=[ticket.pk])
    page = client.get(url)
    assert page.status_code == 200
    values = form_values(page.content.decode(), "ticket_form")
    values.update({name: [str(value)] for name, value in changes.items()})
    values["_save"] = ["save"]
    return client.post(url, values)


def _history(ticket) -> list[tuple[str, str, str, str]]:
    return [(s.step, s.actor.username, s.old, s.new) for s in ticket_history(ticket)][1:]  # after SUBMITTED


@pytest.fixture
def queue(member, other_member, agent, colleague):
    t = {}
    t["new"] = submit(member, subject="贷款贴息政策", category=Category.FINANCE)
    t["mine"] = submit(other_member, subject="政策解读", category=Category.POLICY)
    inbox.ticket_assign(ticket=t["mine"], assignee=agent, actor=agent)
    t["late"] = due_in(submit(member, subject="托管名额", category=Category.CHILDCARE), -timedelta(hours=1))
    inbox.ticket_assign(ticket=t["late"], assignee=colleague, actor=colleague)
    inbox.ticket_set_status(ticket=t["late"], status=S.IN_PROGRESS, actor=colleague)
    t["closed"] = submit(other_member, subject="融资对接", category=Category.FINANCE)
    inbox.ticket_assign(ticket=t["closed"], assignee=agent, actor=agent)
    inbox.ticket_close(ticket=t["closed"], member=other_member)
    return {name: ticket.reference for name, ticket in t.items()}


def test_an_agent_filters_the_queue(agent_client, queue, agent, colleague):
    get = lambda **params: _refs(agent_client.get(QUEUE, params))  # noqa: E731

    assert get() == [queue["closed"], queue["late"], queue["mine"], queue["new"]]
    assert get(status__exact=S.NEW) == [queue["new"]]
    assert get(status__exact=S.ACCEPTED) == [queue["mine"]]
    assert get(status__exact=S.CLOSED) == [queue["closed"]]
    assert get(category__exact=Category.FINANCE) == [queue["closed"], queue["new"]]
    assert get(assignee__id__exact=agent.pk) == [queue["closed"], queue["mine"]]
    assert get(assignee__id__exact=colleague.pk) == [queue["late"]]
    assert get(assignee__isnull="True") == [queue["new"]]
    assert get(overdue="yes") == [queue["late"]]
    assert get(status__exact=S.ACCEPTED, assignee__id__exact=agent.pk) == [queue["mine"]]


def test_the_assignee_filter_offers_the_inbox_staff_not_every_account(agent_client, queue, agent, colleague,
                                                                     supervisor, member, staff_in_group):
    boss = staff_in_group("boss")
    boss.is_superuser = True
    boss.save()
    former = staff_in_group("former", AGENT_GROUP)
    former.is_active = False
    former.save()
    response = agent_client.get(QUEUE)
    spec = next(s for s in response.context["cl"].filter_specs if s.field_path == "assignee")

    # The supervisor is not an agent, the member never could be, a deactivated agent no longer
    # is: none of them is offered; a superuser is.
    assert sorted(name for _, name in spec.lookup_choices) == sorted([str(agent), str(colleague), str(boss)])
    assert spec.include_empty_choice


def test_the_status_filter_names_the_six_states(agent_client, queue):
    html = agent_client.get(QUEUE).content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        title = str(Ticket._meta.get_field("status").verbose_name)
        everything = translation.gettext("All")
    block = re.search(rf'<details data-filter-title="{title}"[^>]*>(.*?)</details>', html, re.S).group(1)

    assert [squash(a) for a in re.findall(r"<a [^>]*>(.*?)</a>", block, re.S)] == [everything] + [
        label(s) for s in (S.NEW, S.ACCEPTED, S.IN_PROGRESS, S.AWAITING_INFO, S.ANSWERED, S.CLOSED)]


def test_an_agent_searches_by_reference_subject_and_member(agent_client, queue):
    search = lambda q: _refs(agent_client.get(QUEUE, {"q": q}))  # noqa: E731

    assert search(queue["mine"]) == [queue["mine"]]
    assert search("托管") == [queue["late"]]
    assert search("林晓雯") == [queue["late"], queue["new"]]
    assert search("zhouyutong@example.cn") == [queue["closed"], queue["mine"]]
    assert search("不存在的问题") == []


def test_assign_to_me_takes_the_open_tickets_selected(agent_client, queue, agent, colleague):
    selected = Ticket.objects.filter(reference__in=[queue["new"], queue["late"], queue["closed"]])

    response = agent_client.post(QUEUE, {"action": "assign_to_me", "index": "0", "select_across": "0",
                                         "_selected_action": [t.pk for t in selected]}, follow=True)

    with translation.override(settings.LANGUAGE_CODE):
        expected = ngettext("%(n)d ticket assigned to you.", "%(n)d tickets assigned to you.", 2) % {"n": 2}
    assert messages_of(response) == [expected]
    assignees = dict(Ticket.objects.values_list("reference", "assignee__username"))
    assert assignees == {queue["new"]: "kefu", queue["late"]: "kefu", queue["mine"]: "kefu", queue["closed"]: "kefu"}
    new = Ticket.objects.get(reference=queue["new"])
    assert new.status == S.ACCEPTED
    assert _history(new) == [(A.STATUS, "kefu", S.NEW, S.ACCEPTED), (A.ASSIGNED, "kefu", "", agent.email)]
    late = Ticket.objects.get(reference=queue["late"])
    assert _history(late)[-1] == (A.ASSIGNED, "kefu", colleague.email, agent.email)
    # The closed ticket was left alone.
    closed = Ticket.objects.get(reference=queue["closed"])
    assert [s.step for s in ticket_history(closed)] == [
        A.SUBMITTED, A.STATUS, A.ASSIGNED, A.CLOSED]


def test_a_public_reply_from_the_change_form(agent_client, member, agent, committed, outbox):
    ticket = submit(member)

    with committed():
        response = _change(agent_client, ticket, reply="您好，请带营业执照到科技局办理。")

    assert (response.status_code, response["Location"]) == (302, QUEUE)
    ticket.refresh_from_db()
    assert ticket.status == S.ANSWERED
    message = TicketMessage.objects.get()
    assert (message.body, message.internal, message.from_staff, message.author) == (
        "您好，请带营业执照到科技局办理。", False, True, agent)
    assert ticket.first_response_at == message.created_at
    assert _history(ticket) == [(A.REPLIED, "kefu", "", ""), (A.STATUS, "kefu", S.NEW, S.ANSWERED)]
    assert [(m.to, m.subject) for m in outbox] == [([member.email], mail_subject("巾帼管家 answered %(ref)s", ticket))]
    assert outbox[0].body == member_mail_body(
        ticket, f"{zh('Staff answered your message:')}\n\n您好，请带营业执照到科技局办理。")


def test_an_internal_note_from_the_change_form(agent_client, member, agent, committed, outbox):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)

    with committed():
        response = _change(agent_client, ticket, reply=NOTE, internal="on")

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at) == (S.ACCEPTED, None)
    assert list(TicketMessage.objects.values_list("body", "internal")) == [(NOTE, True)]
    assert _history(ticket)[-1] == (A.NOTE, "kefu", "", "")
    # Only her acknowledgement was ever written; the note made no notice and no email.
    assert list(Notice.objects.values_list("kind", "recipient")) == [("inbox.acknowledged", member.pk)]
    assert outbox == []
    member_client = Client()
    member_client.force_login(member)
    her_page = member_client.get(ticket.get_absolute_url())
    assert her_page.status_code == 200
    assert NOTE not in her_page.content.decode()
    # Staff see it, marked as internal.
    page = agent_client.get(reverse("admin:services_ticket_change", args=[ticket.pk])).content.decode()
    assert NOTE in page
    assert f'<strong class="internal-note">{zh("internal note")}</strong>' in page


def test_an_internal_note_with_a_status_change_keeps_both(agent_client, member, agent, committed, outbox):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)

    with committed():
        _change(agent_client, ticket, reply=NOTE, internal="on", status=S.AWAITING_INFO)

    ticket.refresh_from_db()
    assert ticket.status == S.AWAITING_INFO
    assert _history(ticket)[-2:] == [(A.NOTE, "kefu", "", ""), (A.STATUS, "kefu", S.ACCEPTED, S.AWAITING_INFO)]
    # She is asked for information; the note itself goes nowhere.
    assert [m.subject for m in outbox] == [mail_subject("Please add information to %(ref)s", ticket)]
    assert [NOTE in m.body for m in outbox] == [False]


def test_a_canned_reply_from_the_change_form(agent_client, member, agent, committed, outbox):
    canned = CannedReply.objects.create(title="已受理", body="您好，您的问题我们已经收到并受理。")
    ticket = submit(member)

    with committed():
        _change(agent_client, ticket, canned=canned.pk)

    ticket.refresh_from_db()
    assert ticket.status == S.ANSWERED
    assert list(TicketMessage.objects.values_list("body", "internal")) == [(canned.body, False)]
    assert outbox[0].body == member_mail_body(ticket, f"{zh('Staff answered your message:')}\n\n{canned.body}")


def test_the_reply_box_wins_over_a_canned_reply(agent_client, member, agent):
    canned = CannedReply.objects.create(title="模板", body="模板内容")
    ticket = submit(member)

    _change(agent_client, ticket, canned=canned.pk, reply="我自己写的")

    assert list(TicketMessage.objects.values_list("body", flat=True)) == ["我自己写的"]


def test_assignee_status_and_priority_changes_are_recorded(agent_client, member, agent, colleague, committed, outbox):
    ticket = submit(member)

    with committed():
        response = _change(agent_client, ticket, assignee=colleague.pk, status=S.IN_PROGRESS, priority=Priority.URGENT)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.priority) == (colleague, S.IN_PROGRESS, Priority.URGENT)
    assert _history(ticket) == [
        (A.STATUS, "kefu", S.NEW, S.ACCEPTED),
        (A.ASSIGNED, "kefu", "", colleague.email),
        (A.PRIORITY, "kefu", Priority.NORMAL, Priority.URGENT),
        (A.STATUS, "kefu", S.ACCEPTED, S.IN_PROGRESS),
    ]
    assert [(m.to, m.subject) for m in outbox] == [([colleague.email], mail_subject("Assigned to you: %(ref)s", ticket))]


def test_saving_without_changes_records_nothing(agent_client, member, agent):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    before = _history(ticket)

    response = _change(agent_client, ticket)

    assert response.status_code == 302
    assert _history(ticket) == before
    assert TicketMessage.objects.count() == 0


def test_a_reply_that_closes_the_ticket_from_the_change_form(agent_client, member, agent):
    ticket = submit(member)

    _change(agent_client, ticket, reply="已办结。", status=S.CLOSED)

    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert ticket.closed_at is not None
    assert inbox.can_reopen(ticket) is True


def test_only_agents_and_superusers_can_be_chosen_as_assignee(agent_client, member, agent, colleague, clerk,
                                                              staff_in_group):
    boss = staff_in_group("boss")
    boss.is_superuser = True
    boss.save()
    former = staff_in_group("former", AGENT_GROUP)
    former.is_active = False
    former.save()
    ticket = submit(member)
    page = agent_client.get(reverse("admin:services_ticket_change", args=[ticket.pk])).content.decode()
    select = re.search(r'<select name="assignee"[^>]*>(.*?)</select>', page, re.S).group(1)

    assert sorted(re.findall(r'<option value="(\d+)"', select)) == sorted(
        [str(agent.pk), str(colleague.pk), str(boss.pk)])
    with pytest.raises(inbox.InboxError):
        inbox.ticket_assign(ticket=ticket, assignee=former, actor=agent)


def test_supervisors_manage_canned_replies_agents_only_use_them(client, agent, supervisor):
    add = reverse("admin:services_cannedreply_add")
    client.force_login(agent)
    assert client.get(add).status_code == 403
    client.force_login(supervisor)
    response = client.post(add, {"title": "政策咨询", "body": "请参考区科技局官网。", "category": Category.POLICY})
    assert response.status_code == 302
    assert list(CannedReply.objects.values_list("title", "body", "category")) == [
        ("政策咨询", "请参考区科技局官网。", Category.POLICY)]


# --- statistics -------------------------------------------------------------------------------

def _stats_block(response) -> dict[str, str]:
    block = re.search(r'<div class="module inbox-stats">(.*?)</div>', response.content.decode(), re.S).group(1)
    return {squash(th): squash(td) for th, td in re.findall(r"<th>(.*?)</th><td>(.*?)</td>", block, re.S)}


def _answered(ticket: Ticket, *, after: timedelta, due_after: timedelta, status: str, rating: int | None = None,
              created=None) -> None:
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=created, first_response_at=created + after, due_at=created + due_after, status=status,
        rating=rating)


def test_the_statistics_block(agent_client, member, other_member):
    created = timezone.now() - timedelta(days=10)
    finance_answered = submit(member, category=Category.FINANCE)
    finance_closed = submit(member, category=Category.FINANCE)
    policy_late = submit(other_member, category=Category.POLICY)
    childcare_new = submit(other_member, category=Category.CHILDCARE)
    space_closed_late = submit(other_member, category=Category.SPACE)
    days = timedelta(days=1)
    hours = timedelta(hours=1)
    _answered(finance_answered, after=2 * hours, due_after=5 * days, status=S.ANSWERED, created=created)
    _answered(finance_closed, after=10 * hours, due_after=5 * days, status=S.CLOSED, rating=5, created=created)
    _answered(policy_late, after=30 * hours, due_after=1 * hours, status=S.IN_PROGRESS, created=created)
    _answered(space_closed_late, after=50 * hours, due_after=1 * days, status=S.CLOSED, rating=4, created=created)
    assert Ticket.objects.get(pk=childcare_new.pk).first_response_at is None

    stats = _stats_block(agent_client.get(QUEUE))

    counts = {Category.FINANCE: 1, Category.POLICY: 1, Category.CHILDCARE: 1}
    with translation.override(settings.LANGUAGE_CODE):
        # Median of 2 h, 10 h, 30 h and 50 h: 20 hours, in Django's own words for durations.
        twenty_hours = ngettext("%(num)d hour", "%(num)d hours", 20) % {"num": 20}
    assert stats == {
        zh("Open by category"): " · ".join(f"{label(c)} {counts.get(c, 0)}" for c in Category),
        zh("Median first response"): twenty_hours,
        zh("Answered within the deadline"): "50%",
        zh("Average rating"): "4.5",
    }


def test_the_statistics_are_one_query(member, django_assert_num_queries):
    from services.stats import inbox_stats

    submit(member)
    with django_assert_num_queries(1):
        inbox_stats()


def test_statistics_of_an_empty_inbox(agent_client):
    stats = _stats_block(agent_client.get(QUEUE))

    assert list(stats.values()) == [" · ".join(f"{label(c)} 0" for c in Category), "—", "—", "—"]


def test_a_median_over_a_day_reads_in_days_and_hours(member):
    from services.stats import inbox_stats

    ticket = submit(member)
    Ticket.objects.filter(pk=ticket.pk).update(first_response_at=ticket.created_at + timedelta(days=1, hours=3))

    with translation.override(settings.LANGUAGE_CODE):
        text = inbox_stats().median_first_response_text
        parts = [ngettext("%(num)d day", "%(num)d days", 1) % {"num": 1},
                 ngettext("%(num)d hour", "%(num)d hours", 3) % {"num": 3}]
        separator = translation.gettext(", ")
    # Django's words for durations, each kept on one line (non-breaking spaces).
    assert text == separator.join(part.replace(" ", "\xa0") for part in parts)
