"""The 巾帼管家 inbox issue's journey, in a real Chromium at 375 px.

A member raises a problem with a photo attached and gets her reference number; an agent
assigns the ticket to herself in the admin, answers her and leaves an internal note; the member
reads the answer (never the note), closes the ticket and rates it.
"""

import re

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from PIL import Image
from playwright.sync_api import Page, expect

from services.forms import RatingForm, TicketForm
from services.history import Step, ticket_history
from services.models import Category, Contact, Ticket, TicketMessage, TicketStatus
from tests.factories import MemberProfileFactory
from tests.helpers import email_subject
from tests.services.helpers import local_date

from .ui import UI_LANGUAGE, admin_action, admin_log_in, label, log_in, screenshot, t, tn, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPLY = "您好！北河泾街道 LADIES 聚力空间每周二、周四下午可免费预约，请带好营业执照复印件。"
NOTE = "内部备注：已电话联系街道，场地排期待确认，暂勿承诺具体日期。"
RATING_COMMENT = "回复很及时，谢谢管家！"


def mail_subject(message: str, reference: str) -> str:
    """An inbox email's subject line, as it is sent (in the site's language)."""
    return email_subject(message, ref=reference)


def starts_with(text: str) -> re.Pattern:
    """An admin label ("Reply:"), told apart from longer ones that contain it ("Canned reply:")."""
    return re.compile("^" + re.escape(text))


def test_member_raises_a_problem_agent_answers_member_closes_and_rates(
    page: Page, new_page, inbox_agent, outbox, tmp_path
):
    member = MemberProfileFactory(real_name="陈静怡").user
    photo = tmp_path / "场地照片.png"
    Image.new("RGB", (640, 480), (0, 131, 143)).save(photo, format="PNG")
    subject = "孵化场地能否预约用于周末路演？"
    description = "我们是一家初创的新材料企业，希望在周末借用场地做一次小型路演，大约 30 人。"

    # She asks from her phone; the inbox sends her to log in first.
    page.goto("/inbox/new/")
    page.wait_for_url("**/accounts/login/**")
    log_in(page, member.email)
    page.wait_for_url("**/inbox/new/")

    page.get_by_label(label(TicketForm, "category")).select_option(Category.SPACE.value)
    page.get_by_label(label(TicketForm, "subject")).fill(subject)
    page.get_by_label(label(TicketForm, "description")).fill(description)
    contact = page.get_by_role("group", name=label(TicketForm, "preferred_contact"))
    expect(contact.get_by_role("radio", name=t(Contact.SITE.label))).to_be_checked()
    contact.get_by_role("radio", name=t(Contact.EMAIL.label)).check()
    page.get_by_label(label(TicketForm, "files")).set_input_files(photo)
    page.evaluate("window.scrollTo(0, 0)")  # else the sticky header lands mid-page in the shot
    screenshot(page, "inbox-form")
    page.get_by_role("button", name=t("Send"), exact=True).click()

    page.wait_for_url("**/inbox/JG-*-000001/")
    ticket = Ticket.objects.get()
    # The year of the reference is the site's (Asia/Shanghai) year when she sent it.
    reference = f"JG-{timezone.localtime(ticket.created_at).year}-000001"
    assert page.url.endswith(f"/inbox/{reference}/")
    with translation.override(UI_LANGUAGE):
        thanks = translation.gettext(
            "Thank you. Your reference number is %(ref)s; we will answer by %(due)s."
        ) % {"ref": reference, "due": local_date(ticket.due_at)}
    expect(page.get_by_text(thanks)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(subject)
    expect(page.get_by_text(reference, exact=False).first).to_be_visible()
    expect(page.locator(".ticket-status")).to_contain_text(t(TicketStatus.NEW.label))
    # The photo was re-encoded (EXIF and all dropped) and is served to her, privately.
    attachment_link = page.get_by_role("link", name="场地照片.jpg", exact=True)
    expect(attachment_link).to_be_visible()
    served = page.request.get(attachment_link.get_attribute("href"))
    assert (served.status, served.headers["content-type"]) == (200, "image/jpeg")

    assert (ticket.reference, ticket.member, ticket.category, ticket.subject, ticket.description) == (
        reference, member, Category.SPACE, subject, description
    )
    assert (ticket.status, ticket.preferred_contact, ticket.assignee) == (
        TicketStatus.NEW, Contact.EMAIL, None
    )
    assert list(ticket.attachments.values_list("name", "content_type", "uploaded_by")) == [
        ("场地照片.jpg", "image/jpeg", member.pk)
    ]
    acknowledged = mail_subject("We received your message %(ref)s", reference)
    assert len(wait_for_mail(page, outbox, to=member.email, subject=acknowledged)) == 1

    # The agent, at her desk: the admin queue, "assign to me", then the ticket.
    staff = new_page()
    admin_log_in(staff, inbox_agent.username)
    admin_action(staff, Ticket, ticket, "assign_to_me")
    expect(staff.get_by_text(
        tn("%(n)d ticket assigned to you.", "%(n)d tickets assigned to you.", 1)
    )).to_be_visible()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status) == (inbox_agent, TicketStatus.ACCEPTED)

    staff.get_by_role("link", name=reference, exact=True).click()
    staff.wait_for_url(f"**/admin/services/ticket/{ticket.pk}/change/")
    expect(staff.get_by_label(starts_with(capfirst(t(Ticket._meta.get_field("assignee").verbose_name))))
           ).to_have_value(str(inbox_agent.pk))
    expect(staff.get_by_role("link", name="场地照片.jpg")).to_be_visible()

    # A public answer, then an internal note (two saves, as she would do it).
    reply_box = staff.get_by_label(starts_with(t("Reply")))
    reply_box.fill(REPLY)
    staff.get_by_role("button", name=t("Save and continue editing")).click()
    staff.wait_for_url(f"**/admin/services/ticket/{ticket.pk}/change/")
    expect(reply_box).to_have_value("")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ANSWERED
    assert ticket.first_response_at is not None
    replied = wait_for_mail(page, outbox, to=member.email, subject=mail_subject("巾帼管家 answered %(ref)s", reference))
    assert len(replied) == 1
    assert REPLY in replied[0].body

    reply_box.fill(NOTE)
    staff.get_by_role("checkbox", name=t("Internal note (never shown to the member)")).check()
    staff.get_by_role("button", name=t("Save and continue editing")).click()
    staff.wait_for_url(f"**/admin/services/ticket/{ticket.pk}/change/")
    expect(staff.locator(".internal-note")).to_have_count(1)
    expect(staff.get_by_text(NOTE)).to_be_visible()
    assert list(TicketMessage.objects.filter(ticket=ticket).values_list("body", "internal", "author")) == [
        (REPLY, False, inbox_agent.pk), (NOTE, True, inbox_agent.pk)
    ]

    # She reads the answer on her phone; the note is nowhere on the page.
    page.goto("/inbox/")
    row = page.locator(".ticket-row").filter(has_text=subject)
    expect(row.locator(".ticket-status")).to_have_text(t(TicketStatus.ANSWERED.label))
    row.get_by_role("link", name=subject).click()
    page.wait_for_url(f"**/inbox/{reference}/")
    staff_bubble = page.locator(".bubble-staff")
    expect(staff_bubble).to_have_count(1)
    expect(staff_bubble).to_contain_text(REPLY)
    assert NOTE not in page.content()
    screenshot(page, "inbox-ticket")

    # Solved: she closes the ticket and rates the answer.
    page.get_by_role("button", name=t("My problem is solved — close it")).click()
    page.wait_for_url(f"**/inbox/{reference}/")
    expect(page.get_by_text(t("The ticket is closed. Please rate the answer."))).to_be_visible()
    rating = page.get_by_role("group", name=label(RatingForm, "rating"))
    rating.get_by_role("radio", name="5", exact=True).check()
    page.get_by_label(label(RatingForm, "comment")).fill(RATING_COMMENT)
    page.get_by_role("button", name=t("Rate"), exact=True).click()
    page.wait_for_url(f"**/inbox/{reference}/")
    expect(page.get_by_text(t("Thank you for your rating."))).to_be_visible()
    expect(page.get_by_text(t("Your rating: %(r)s / 5") % {"r": 5}, exact=False)).to_be_visible()
    expect(page.get_by_role("button", name=t("Reopen"))).to_be_visible()
    assert NOTE not in page.content()

    page.goto("/inbox/")
    expect(row.locator(".ticket-status")).to_have_text(t(TicketStatus.CLOSED.label))
    screenshot(page, "inbox-mine")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == (
        TicketStatus.CLOSED, 5, RATING_COMMENT
    )
    assert ticket.closed_at is not None
    A = Step
    assert [(s.step, s.old, s.new, s.actor.pk) for s in ticket_history(ticket)] == [
        (A.SUBMITTED, "", reference, member.pk),
        (A.STATUS, TicketStatus.NEW, TicketStatus.ACCEPTED, inbox_agent.pk),
        (A.ASSIGNED, "", str(inbox_agent), inbox_agent.pk),
        (A.REPLIED, "", "", inbox_agent.pk),
        (A.STATUS, TicketStatus.ACCEPTED, TicketStatus.ANSWERED, inbox_agent.pk),
        (A.NOTE, "", "", inbox_agent.pk),
        (A.CLOSED, TicketStatus.ANSWERED, TicketStatus.CLOSED, member.pk),
        (A.RATED, "", "5", member.pk),
    ]
    # Two emails, both to her (assigning herself tells nobody), and the note in neither.
    assert [(m.to, m.subject) for m in outbox] == [
        ([member.email], acknowledged),
        ([member.email], mail_subject("巾帼管家 answered %(ref)s", reference)),
    ]
    assert not [m for m in outbox if NOTE in m.body or NOTE in m.subject]
