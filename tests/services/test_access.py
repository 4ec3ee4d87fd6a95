"""Another member's ticket or file does not exist for her (404); staff with view_ticket may read
files; anonymous visitors are sent to sign in."""

import pytest
from django.urls import reverse

from services import inbox
from services.history import Step, ticket_history
from services.models import Ticket, TicketMessage, TicketStatus

from .helpers import png_bytes, submit, upload

S = TicketStatus


@pytest.fixture
def her_ticket(member):
    """林晓雯's ticket with one image attached."""
    from services.attachments import attachments_check

    return submit(member, subject="我的私事", files=attachments_check([upload("photo.png", png_bytes())]))


def _urls(ticket) -> dict[str, str]:
    ref = ticket.reference
    return {
        "page": reverse("services:ticket", args=[ref]),
        "reply": reverse("services:reply", args=[ref]),
        "close": reverse("services:close", args=[ref]),
        "reopen": reverse("services:reopen", args=[ref]),
        "rate": reverse("services:rate", args=[ref]),
        "file": reverse("services:attachment", args=[ref, ticket.attachments.get().pk]),
    }


def test_another_member_gets_404_for_everything_about_the_ticket(client, her_ticket, other_member):
    urls = _urls(her_ticket)
    client.force_login(other_member)

    codes = {
        "page": client.get(urls["page"]).status_code,
        "reply": client.post(urls["reply"], {"body": "我来插一句"}).status_code,
        "close": client.post(urls["close"]).status_code,
        "reopen": client.post(urls["reopen"]).status_code,
        "rate": client.post(urls["rate"], {"rating": "1"}).status_code,
        "file": client.get(urls["file"]).status_code,
    }

    assert codes == {"page": 404, "reply": 404, "close": 404, "reopen": 404, "rate": 404, "file": 404}
    her_ticket.refresh_from_db()
    assert (her_ticket.status, her_ticket.rating) == (S.NEW, None)
    assert TicketMessage.objects.count() == 0
    assert [s.step for s in ticket_history(her_ticket)] == [Step.SUBMITTED]
    assert "我的私事" not in client.get(reverse("services:tickets")).content.decode()


def test_another_member_cannot_rate_or_reopen_a_closed_ticket(client, her_ticket, member, other_member):
    inbox.ticket_close(ticket=her_ticket, member=member)
    urls = _urls(her_ticket)
    client.force_login(other_member)

    assert client.post(urls["rate"], {"rating": "1"}).status_code == 404
    assert client.post(urls["reopen"]).status_code == 404
    her_ticket.refresh_from_db()
    assert (her_ticket.status, her_ticket.rating) == (S.CLOSED, None)


def test_the_domain_refuses_another_members_actions(her_ticket, other_member):
    for action in (
        lambda: inbox.ticket_member_reply(ticket=her_ticket, member=other_member, body="插一句"),
        lambda: inbox.ticket_close(ticket=her_ticket, member=other_member),
        lambda: inbox.ticket_reopen(ticket=her_ticket, member=other_member),
        lambda: inbox.ticket_rate(ticket=her_ticket, member=other_member, rating=1),
    ):
        with pytest.raises(inbox.InboxError):
            action()
    her_ticket.refresh_from_db()
    assert her_ticket.status == S.NEW


def test_the_file_of_a_ticket_under_another_reference_is_404(client, her_ticket, member):
    mine = submit(member, subject="另一个")
    client.force_login(member)
    # Her own file, but asked for under her other ticket's reference.
    url = reverse("services:attachment", args=[mine.reference, her_ticket.attachments.get().pk])
    assert client.get(url).status_code == 404


def test_she_and_inbox_staff_can_download_the_file(client, her_ticket, member, agent, supervisor):
    url = _urls(her_ticket)["file"]
    stored = her_ticket.attachments.get().file.open("rb").read()
    for user in (member, agent, supervisor):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == stored


def test_staff_without_the_inbox_permission_get_404(client, her_ticket, clerk):
    client.force_login(clerk)
    assert client.get(_urls(her_ticket)["file"]).status_code == 404
    assert client.get(_urls(her_ticket)["page"]).status_code == 404


def test_staff_cannot_open_the_members_own_page(client, her_ticket, agent):
    """Staff work in the admin; the member's page is hers alone."""
    client.force_login(agent)
    assert client.get(_urls(her_ticket)["page"]).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, her_ticket):
    urls = _urls(her_ticket)
    login = reverse("account_login")
    gets = {name: urls[name] for name in ("page", "file")} | {
        "list": reverse("services:tickets"), "new": reverse("services:new")}
    posts = {name: urls[name] for name in ("reply", "close", "reopen", "rate")}

    for url in gets.values():
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    for url in posts.values():
        response = client.post(url, {"body": "x", "rating": "1"})
        assert (response.status_code, response["Location"]) == (302, f"{login}?next={url}")
    assert Ticket.objects.get().status == S.NEW
    assert TicketMessage.objects.count() == 0
