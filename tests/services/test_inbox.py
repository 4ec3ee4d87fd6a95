"""The 巾帼管家 lifecycle: submit, assign, answer, note, ask for information, close, rate, reopen."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from services import inbox
from services.history import Step, ticket_history
from services.models import Ticket, TicketMessage, TicketStatus
from tests.helpers import label, messages_of, zh
from xiangcheng.core.models import Notice
from xiangcheng.core.sms import SmsMessage

from .helpers import local_date, mail_subject, member_mail_body, reference, submit

A = Step
S = TicketStatus
NOTE = "内部备注：该会员去年的贷款申请被拒，勿向她透露。"
REPLY = "您好，区里对女性科技企业有贴息贷款，请带营业执照到科技局二楼办理。"


def history(ticket) -> list[tuple[str, str, str, str]]:
    """The ticket's history as read from the audit trail: step, by whom, from, to."""
    return [(s.step, s.actor.username, s.old, s.new) for s in ticket_history(ticket)]


def sent(outbox) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject) for m in outbox]


def page(client, ticket) -> str:
    response = client.get(reverse("services:ticket", args=[ticket.reference]))
    assert response.status_code == 200
    return response.content.decode()


def member_sms(phone: str, subject: str) -> SmsMessage:
    """The inbox's SMS to a member: the approved template with the notice's subject."""
    return SmsMessage(phone=phone, template="inbox_to_member", params={"subject": subject},
                      text=zh("{subject}. Details on the portal.").format(subject=subject))


# --- submitting -------------------------------------------------------------------------------

def test_submitting_gives_consecutive_references_and_an_acknowledgement(
        member_client, member, committed, ticket_data, outbox, sms_outbox):
    with committed():
        first = member_client.post(reverse("services:new"), ticket_data)
    with committed():
        second = member_client.post(reverse("services:new"), {**ticket_data, "subject": "第二个问题"})

    tickets = list(Ticket.objects.order_by("number"))
    assert [t.reference for t in tickets] == [reference(1), reference(2)]
    assert [t.subject for t in tickets] == ["初创企业贷款咨询", "第二个问题"]
    assert [t.status for t in tickets] == [S.NEW, S.NEW]
    assert (first.status_code, first["Location"]) == (302, f"/inbox/{reference(1)}/")
    assert (second.status_code, second["Location"]) == (302, f"/inbox/{reference(2)}/")
    ticket = tickets[0]
    assert member_client.get(first["Location"]).status_code == 200
    assert history(ticket) == [(A.SUBMITTED, "linxiaowen", "", reference(1))]
    # The acknowledgement names the exact reference by email and by SMS.
    assert sent(outbox) == [(member.email, mail_subject("We received your message %(ref)s", t)) for t in tickets]
    assert outbox[0].body == member_mail_body(ticket, zh(
        "Thank you for writing to 巾帼管家. Your reference number is %(ref)s; we will answer by %(due)s.",
        ref=reference(1), due=local_date(ticket.due_at)))
    assert sms_outbox == [member_sms("13912345678", zh("We received your message %(ref)s", ref=t.reference))
                          for t in tickets]
    assert [(n.recipient.username, n.kind, n.state) for n in Notice.objects.order_by("pk")] == [
        ("linxiaowen", "inbox.acknowledged", "sent"), ("linxiaowen", "inbox.acknowledged", "sent")]


def test_a_member_who_joined_with_her_mobile_is_acknowledged_by_sms_only(db, client, committed, ticket_data, outbox,
                                                                       sms_outbox):
    from tests.factories import UserFactory

    member = UserFactory(username="phoneonly", email="", phone="13800001111", phone_verified=True)
    client.force_login(member)
    with committed():
        client.post(reverse("services:new"), ticket_data)

    ticket = Ticket.objects.get()
    assert outbox == []
    assert sms_outbox == [member_sms("13800001111", zh("We received your message %(ref)s", ref=ticket.reference))]


def test_the_thank_you_message_names_the_reference_and_the_due_date(member_client, ticket_data):
    response = member_client.post(reverse("services:new"), ticket_data, follow=True)

    ticket = Ticket.objects.get()
    assert messages_of(response) == [zh(
        "Thank you. Your reference number is %(ref)s; we will answer by %(due)s.",
        ref=reference(1), due=local_date(ticket.due_at))]


def test_the_due_date_she_is_told_is_xiangcheng_s_even_while_utc_is_still_yesterday(client, member, ticket_data):
    """00:20 on Friday 1 January 2027 in Xiangcheng is Thursday 31 December 2026 in UTC: she is
    answered by Friday 8 January, numbered in 2027."""
    with time_machine.travel(datetime(2027, 1, 1, 0, 20, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        client.force_login(member)
        response = client.post(reverse("services:new"), ticket_data, follow=True)

    assert messages_of(response) == [zh(
        "Thank you. Your reference number is %(ref)s; we will answer by %(due)s.",
        ref="JG-2027-000001", due="2027-01-08")]
    assert "2027-01-08" in response.content.decode()  # the ticket page: "answer due by …"


def test_an_invalid_form_keeps_her_input(member_client, ticket_data):
    response = member_client.post(reverse("services:new"), {**ticket_data, "category": "lottery"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["category"]
    assert 'value="初创企业贷款咨询"' in response.content.decode()
    assert Ticket.objects.count() == 0


# --- the whole life of a ticket ---------------------------------------------------------------

def test_full_lifecycle(client, member, agent, colleague, committed, ticket_data, outbox, sms_outbox):
    client.force_login(member)
    with committed():
        client.post(reverse("services:new"), ticket_data)
    ticket = Ticket.objects.get()

    # An agent assigns it to a colleague: accepted, and the colleague is told.
    with committed():
        inbox.ticket_assign(ticket=ticket, assignee=colleague, actor=agent)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (S.ACCEPTED, colleague)

    # The colleague answers publicly: answered, first response time, the member is emailed the text.
    with committed():
        reply = inbox.ticket_reply(ticket=ticket, author=colleague, body=REPLY)
    ticket.refresh_from_db()
    assert ticket.status == S.ANSWERED
    assert ticket.first_response_at == reply.created_at
    assert outbox[-1].to == [member.email]
    assert outbox[-1].subject == mail_subject("巾帼管家 answered %(ref)s", ticket)
    assert outbox[-1].body == member_mail_body(ticket, f"{zh('Staff answered your message:')}\n\n{REPLY}")

    # An internal note: nobody is told, the status stays.
    notices_before, mails_before = Notice.objects.count(), len(outbox)
    with committed():
        inbox.ticket_reply(ticket=ticket, author=colleague, body=NOTE, internal=True)
    ticket.refresh_from_db()
    assert ticket.status == S.ANSWERED
    assert (Notice.objects.count(), len(outbox)) == (notices_before, mails_before)
    html = page(client, ticket)
    assert REPLY in html
    assert NOTE not in html

    # Staff ask for more information; she adds it and the ticket goes back to staff.
    with committed():
        inbox.ticket_set_status(ticket=ticket, status=S.AWAITING_INFO, actor=colleague)
    assert outbox[-1].subject == mail_subject("Please add information to %(ref)s", ticket)
    html = page(client, ticket)
    assert zh("Staff asked you for more information.") in html
    with committed():
        response = client.post(reverse("services:reply", args=[ticket.reference]), {"body": "营业执照号已补充。"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS
    assert outbox[-1].to == [colleague.email]
    assert outbox[-1].subject == mail_subject("The member replied on %(ref)s", ticket)
    assert "营业执照号已补充。" in outbox[-1].body

    # She closes it and rates the answer.
    with committed():
        response = client.post(reverse("services:close", args=[ticket.reference]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert ticket.closed_at is not None
    response = client.post(reverse("services:rate", args=[ticket.reference]), {"rating": "4", "comment": " 很及时 "})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (4, "很及时")
    assert zh("Your rating: %(r)s / 5", r=4) in page(client, ticket)

    # She reopens it within 14 days: in progress again, the rating is cleared, the assignee is told.
    with committed():
        response = client.post(reverse("services:reopen", args=[ticket.reference]))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at, ticket.rating) == (S.IN_PROGRESS, None, None)

    assert history(ticket) == [
        (A.SUBMITTED, "linxiaowen", "", ticket.reference),
        (A.STATUS, "kefu", S.NEW, S.ACCEPTED),
        (A.ASSIGNED, "kefu", "", colleague.email),
        (A.REPLIED, "kefu2", "", ""),
        (A.STATUS, "kefu2", S.ACCEPTED, S.ANSWERED),
        (A.NOTE, "kefu2", "", ""),
        (A.STATUS, "kefu2", S.ANSWERED, S.AWAITING_INFO),
        (A.MEMBER_REPLIED, "linxiaowen", "", ""),
        (A.STATUS, "linxiaowen", S.AWAITING_INFO, S.IN_PROGRESS),
        (A.CLOSED, "linxiaowen", S.IN_PROGRESS, S.CLOSED),
        (A.RATED, "linxiaowen", "", "4"),
        (A.REOPENED, "linxiaowen", S.CLOSED, S.IN_PROGRESS),
    ]
    assert sent(outbox) == [
        (member.email, mail_subject("We received your message %(ref)s", ticket)),
        (colleague.email, mail_subject("Assigned to you: %(ref)s", ticket)),
        (member.email, mail_subject("巾帼管家 answered %(ref)s", ticket)),
        (member.email, mail_subject("Please add information to %(ref)s", ticket)),
        (colleague.email, mail_subject("The member replied on %(ref)s", ticket)),
        (colleague.email, mail_subject("%(ref)s was reopened", ticket)),
    ]
    # The internal note is in no email, no SMS and no written notice.
    assert [m.subject for m in outbox if NOTE in m.body or NOTE in m.subject] == []
    assert [m.text for m in sms_outbox if NOTE in m.text] == []
    assert Notice.objects.filter(body__contains=NOTE).count() == 0
    assert Notice.objects.exclude(state=Notice.State.SENT).count() == 0
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("internal", "from_staff")) == [
        (False, True), (True, True), (False, False)]


def test_assigning_records_who_assigned_and_leaves_an_accepted_ticket_alone(member, agent, colleague):
    ticket = submit(member)
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    inbox.ticket_assign(ticket=ticket, assignee=colleague, actor=agent)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (S.ACCEPTED, colleague)
    assert history(ticket)[1:] == [
        (A.STATUS, "kefu", S.NEW, S.ACCEPTED),
        (A.ASSIGNED, "kefu", "", agent.email),
        (A.ASSIGNED, "kefu", agent.email, colleague.email),
    ]


def test_only_agents_can_be_assigned(member, agent, clerk):
    ticket = submit(member)
    with pytest.raises(inbox.InboxError) as refused:
        inbox.ticket_assign(ticket=ticket, assignee=clerk, actor=agent)

    assert str(refused.value) == zh("Tickets can only be assigned to inbox agents.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (S.NEW, None)


def test_an_internal_note_is_never_shown_or_sent_to_her(member_client, member, agent, committed, outbox):
    with committed():
        ticket = submit(member)
        inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
        inbox.ticket_reply(ticket=ticket, author=agent, body=NOTE, internal=True)
        inbox.ticket_reply(ticket=ticket, author=agent, body=REPLY)
        inbox.ticket_set_status(ticket=ticket, status=S.CLOSED, actor=agent)

    html = page(member_client, ticket)
    assert REPLY in html
    assert NOTE not in html
    assert sent(outbox) == [
        (member.email, mail_subject("We received your message %(ref)s", ticket)),
        (member.email, mail_subject("巾帼管家 answered %(ref)s", ticket)),
        (member.email, mail_subject("%(ref)s is closed", ticket)),
    ]
    assert [NOTE in m.body for m in outbox] == [False, False, False]
    assert [NOTE in n.body or NOTE in n.subject or NOTE in str(n.data) for n in Notice.objects.all()] == [
        False, False, False]
    # Her list of tickets does not show it either.
    assert NOTE not in member_client.get(reverse("services:tickets")).content.decode()


def test_a_staff_reply_that_closes_the_ticket_gives_it_a_closing_time(member, agent):
    ticket = submit(member)
    inbox.ticket_reply(ticket=ticket, author=agent, body=REPLY, status=S.CLOSED)

    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert ticket.closed_at is not None
    assert inbox.can_reopen(ticket) is True


def test_staff_reopening_a_closed_ticket_clears_the_closing_time(member, agent):
    ticket = submit(member)
    inbox.ticket_set_status(ticket=ticket, status=S.CLOSED, actor=agent)
    inbox.ticket_set_status(ticket=ticket, status=S.IN_PROGRESS, actor=agent)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (S.IN_PROGRESS, None)


def test_an_empty_reply_is_refused(member, agent):
    ticket = submit(member)
    with pytest.raises(inbox.InboxError) as refused:
        inbox.ticket_reply(ticket=ticket, author=agent, body="   ")
    assert str(refused.value) == zh("Write a message first.")
    assert TicketMessage.objects.count() == 0


# --- her replies, closing, rating and reopening -----------------------------------------------

def test_she_cannot_reply_to_a_closed_ticket_and_keeps_her_text(member_client, member):
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)

    response = member_client.post(reverse("services:reply", args=[ticket.reference]), {"body": "还有一个问题"})

    assert response.status_code == 400
    html = response.content.decode()
    assert zh("This ticket is closed. Reopen it to add something.") in html
    assert "还有一个问题" in html
    assert TicketMessage.objects.count() == 0


def test_an_empty_reply_from_her_is_refused(member_client, member):
    ticket = submit(member)
    response = member_client.post(reverse("services:reply", args=[ticket.reference]), {"body": " "})

    assert response.status_code == 400
    assert zh("Write a message or attach a file.") in response.content.decode()
    assert TicketMessage.objects.count() == 0


def test_rating_only_once_closed(member_client, member):
    ticket = submit(member)
    response = member_client.post(reverse("services:rate", args=[ticket.reference]), {"rating": "5"})

    assert response.status_code == 400
    assert zh("You can rate the answer once the ticket is closed.") in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.rating is None


@pytest.mark.parametrize("rating", ["0", "6", "-1", "五", ""])
def test_a_rating_outside_1_to_5_is_refused(member_client, member, rating):
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)

    response = member_client.post(reverse("services:rate", args=[ticket.reference]), {"rating": rating})

    assert response.status_code == 400
    assert list(response.context["rating_form"].errors) == ["rating"]
    ticket.refresh_from_db()
    assert ticket.rating is None


@pytest.mark.parametrize("rating", [0, 6])
def test_the_domain_refuses_ratings_outside_1_to_5(member, rating):
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)
    with pytest.raises(inbox.InboxError) as refused:
        inbox.ticket_rate(ticket=ticket, member=member, rating=rating)
    assert str(refused.value) == zh("Choose a rating from 1 to 5.")


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_1_and_5_are_accepted(member, rating):
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)
    inbox.ticket_rate(ticket=ticket, member=member, rating=rating, comment="谢谢")
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == (rating, "谢谢")


def test_closing_twice_is_refused(member_client, member):
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)

    response = member_client.post(reverse("services:close", args=[ticket.reference]), follow=True)

    assert messages_of(response) == [zh("This ticket is already closed.")]
    assert [s.step for s in ticket_history(ticket)] == [A.SUBMITTED, A.CLOSED]


def _closed_days_ago(member, days: float) -> Ticket:
    ticket = submit(member)
    inbox.ticket_close(ticket=ticket, member=member)
    Ticket.objects.filter(pk=ticket.pk).update(closed_at=timezone.now() - timedelta(days=days))
    return ticket


def test_reopening_within_14_days(member_client, member):
    ticket = _closed_days_ago(member, 13.9)

    html = page(member_client, ticket)
    assert zh("Reopen") in html
    response = member_client.post(reverse("services:reopen", args=[ticket.reference]), follow=True)

    assert messages_of(response) == [zh("The ticket is open again.")]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.closed_at) == (S.IN_PROGRESS, None)


def test_reopening_after_14_days_is_refused(member_client, member):
    ticket = _closed_days_ago(member, 14.01)

    html = page(member_client, ticket)
    assert reverse("services:reopen", args=[ticket.reference]) not in html
    response = member_client.post(reverse("services:reopen", args=[ticket.reference]), follow=True)

    assert messages_of(response) == [zh("A ticket can be reopened within %(n)d days of closing.", n=14)]
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert [s.step for s in ticket_history(ticket)] == [A.SUBMITTED, A.CLOSED]


def test_her_list_shows_her_tickets_with_their_status(member_client, member, other_member, agent):
    first = submit(member, subject="第一个")
    second = submit(member, subject="第二个")
    submit(other_member, subject="别人的")
    inbox.ticket_reply(ticket=first, author=agent, body=REPLY)

    response = member_client.get(reverse("services:tickets"))

    assert [t.reference for t in response.context["page"]] == [second.reference, first.reference]
    html = response.content.decode()
    assert "别人的" not in html
    assert f'<span class="ticket-status status-answered">{label(S.ANSWERED)}</span>' in html


# --- rate limit -------------------------------------------------------------------------------

def test_the_sixth_submission_within_an_hour_is_refused_and_keeps_her_input(member_client, member, ticket_data):
    for i in range(inbox.SUBMISSIONS_PER_HOUR):
        submit(member, subject=f"问题{i}")

    response = member_client.post(reverse("services:new"), {**ticket_data, "subject": "第六个问题"})

    assert response.status_code == 400
    message = zh("You have sent %(n)d messages in the last hour. Please try again later.", n=5)
    assert response.context["form"].non_field_errors() == [message]
    html = response.content.decode()
    assert message in html
    assert 'value="第六个问题"' in html
    assert "公司成立两年，想了解区里的贴息贷款政策。" in html
    assert Ticket.objects.count() == 5
    assert Ticket.objects.filter(subject="第六个问题").count() == 0


def test_the_limit_counts_only_the_last_hour_and_only_her_own(member_client, member, other_member, ticket_data):
    for i in range(inbox.SUBMISSIONS_PER_HOUR):
        submit(member, subject=f"问题{i}")
        submit(other_member, subject=f"别人{i}")
    Ticket.objects.filter(member=member, subject="问题0").update(created_at=timezone.now() - timedelta(minutes=61))

    response = member_client.post(reverse("services:new"), ticket_data)

    assert response.status_code == 302
    assert Ticket.objects.filter(member=member).count() == 6
    assert inbox.submissions_left(member) == 0
    assert inbox.submissions_left(other_member) == 0


def test_the_form_says_how_many_she_can_still_send(member_client, member):
    submit(member)
    submit(member)

    response = member_client.get(reverse("services:new"))

    assert response.context["left"] == 3
    assert settings.LANGUAGE_CODE == "zh-hans"
