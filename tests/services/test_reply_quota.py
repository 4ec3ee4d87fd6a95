"""Her replies have a daily quota: 30 messages and 20 MB of files in any 24 hours, counted in
the database under her account's row lock, refused with a clear message and her text kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services import inbox
from services.models import Attachment, Ticket, TicketMessage
from tests.helpers import zh

from .helpers import minimal_pdf, submit, upload

MB = 1024 * 1024
REPLIES_REFUSED = "You have sent %(n)d replies in the last 24 hours. Please try again later."
FILES_REFUSED = ("Your files of the last 24 hours already take %(used).1f MB of the %(limit)d MB a day allows. "
                 "Send your message without these files, or attach them later.")


def earlier_replies(member, ticket, n: int, *, hours_ago: float = 1) -> None:
    """``n`` replies she wrote ``hours_ago``, written directly."""
    at = timezone.now() - timedelta(hours=hours_ago)
    TicketMessage.objects.bulk_create(TicketMessage(ticket=ticket, author=member, body=f"补充{i}") for i in range(n))
    TicketMessage.objects.filter(author=member).update(created_at=at)


def earlier_files(member, ticket, size: int, *, hours_ago: float = 1) -> None:
    """A file of ``size`` bytes she attached ``hours_ago`` (the row only: the quota counts sizes)."""
    attachment = Attachment.objects.create(ticket=ticket, file=f"inbox/{ticket.pk}/earlier", name="earlier.pdf",
                                           content_type="application/pdf", size=size, uploaded_by=member)
    Attachment.objects.filter(pk=attachment.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))


def reply(client, ticket, body: str, *files):
    return client.post(reverse("services:reply", args=[ticket.reference]), {"body": body, "files": list(files)})


@pytest.mark.django_db
def test_the_quota_is_30_replies_and_20_mb_a_day():
    assert (inbox.REPLIES_PER_DAY, inbox.UPLOAD_BYTES_PER_DAY) == (30, 20 * MB)


@pytest.mark.django_db
def test_the_31st_reply_in_24_hours_is_refused_and_keeps_her_text(member_client, member):
    ticket = submit(member)
    earlier_replies(member, ticket, inbox.REPLIES_PER_DAY - 1)
    assert reply(member_client, ticket, "第三十条").status_code == 302

    response = reply(member_client, ticket, "第三十一条：补充材料清单")

    assert response.status_code == 400
    message = zh(REPLIES_REFUSED, n=30)
    assert response.context["reply_form"].non_field_errors() == [message]
    html = response.content.decode()
    assert message in html
    assert "第三十一条：补充材料清单" in html
    assert TicketMessage.objects.filter(author=member).count() == 30


@pytest.mark.django_db
def test_the_reply_count_is_a_rolling_24_hours_of_her_own_replies(member, other_member, agent):
    ticket = submit(member)
    earlier_replies(member, ticket, inbox.REPLIES_PER_DAY, hours_ago=24.1)
    other_ticket = submit(other_member)
    earlier_replies(other_member, other_ticket, inbox.REPLIES_PER_DAY)
    for i in range(5):
        inbox.ticket_reply(ticket=ticket, author=agent, body=f"答复{i}")  # staff replies do not count
    for i in range(inbox.REPLIES_PER_DAY):
        inbox.ticket_member_reply(ticket=ticket, member=member, body=f"今天{i}")
    with pytest.raises(inbox.InboxError) as refused:
        inbox.ticket_member_reply(ticket=ticket, member=member, body="再一条")
    assert str(refused.value) == zh(REPLIES_REFUSED, n=30)
    with pytest.raises(inbox.InboxError):
        inbox.ticket_member_reply(ticket=other_ticket, member=other_member, body="她也满了")


@pytest.mark.django_db
def test_files_over_the_daily_bytes_are_refused_and_her_text_is_kept(member_client, member):
    ticket = submit(member)
    earlier_files(member, ticket, 19 * MB)
    pdf = minimal_pdf()
    big_pdf = pdf[:9] + b"%" + b" " * (MB + MB // 2) + b"\n" + pdf[9:]  # 1.5 MB, a valid PDF still

    response = reply(member_client, ticket, "补充营业执照扫描件", upload("执照.pdf", big_pdf))

    assert response.status_code == 400
    message = zh(FILES_REFUSED, used=19.0, limit=20)
    assert response.context["reply_form"].non_field_errors() == [message]
    assert "补充营业执照扫描件" in response.content.decode()
    assert TicketMessage.objects.filter(author=member).count() == 0
    assert Attachment.objects.filter(uploaded_by=member).count() == 1
    # Without the file, the same text goes through.
    assert reply(member_client, ticket, "补充营业执照扫描件").status_code == 302


@pytest.mark.django_db
def test_files_up_to_exactly_20_mb_a_day_are_accepted_and_older_ones_do_not_count(member_client, member):
    ticket = submit(member)
    pdf = minimal_pdf()
    earlier_files(member, ticket, 20 * MB, hours_ago=25)
    earlier_files(member, ticket, 20 * MB - len(pdf))

    assert reply(member_client, ticket, "刚好", upload("a.pdf", pdf)).status_code == 302
    assert reply(member_client, ticket, "超出", upload("b.pdf", pdf)).status_code == 400


@pytest.mark.django_db
def test_a_new_ticket_with_files_counts_against_the_same_bytes(member_client, member, ticket_data):
    ticket = submit(member)
    earlier_files(member, ticket, 20 * MB)

    response = member_client.post(reverse("services:new"), {**ticket_data, "files": [upload("a.pdf", minimal_pdf())]})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [zh(FILES_REFUSED, used=20.0, limit=20)]
    assert 'value="初创企业贷款咨询"' in response.content.decode()
    assert Ticket.objects.filter(member=member).count() == 1
    # A ticket without files is still welcome.
    assert member_client.post(reverse("services:new"), ticket_data).status_code == 302
