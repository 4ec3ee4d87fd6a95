"""Federation offerings: publishing, booking a slot 1:1, cancelling, 我的预约, appointments."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import Status as MemberStatus
from services import offerings, slot_booking
from services.models import (
    Category,
    Contact,
    OfferingAppointment,
    OfferingMode,
    SlotBooking,
    SlotBookingStatus,
    Ticket,
    TicketStatus,
)
from tests.factories import MemberProfileFactory
from tests.helpers import email_subject, messages_of, queries_for, squash, zh, zh_n
from xiangcheng.core.models import Notice

from .offering_factories import OfferingFactory, OfferingSlotFactory, SlotBookingFactory, programme

pytestmark = pytest.mark.django_db
B = SlotBookingStatus


def notices() -> list[tuple[str, str, int]]:
    return [(n.recipient.username, n.kind, n.target_id)
            for n in Notice.objects.filter(kind__startswith="offerings.").order_by("pk")]


def booked_members(slot) -> list[str]:
    return sorted(SlotBooking.objects.filter(slot=slot, status=B.BOOKED).values_list("member__username", flat=True))


# --- booking ------------------------------------------------------------------------------------

def test_a_member_books_a_slot_is_sent_to_my_bookings_and_told(client, member, committed, outbox):
    slot = OfferingSlotFactory(capacity=2, offering=OfferingFactory(title="女企业家专属金融服务"))
    client.force_login(member)

    with committed():
        response = client.post(reverse("offerings:book", args=[slot.pk]), follow=True)

    booking = SlotBooking.objects.get()
    assert (booking.slot, booking.member, booking.status) == (slot, member, B.BOOKED)
    assert response.redirect_chain == [(reverse("offerings:mine"), 302)]
    assert messages_of(response) == [zh("Your place is booked. We have sent you a confirmation.")]
    assert [b.pk for b in response.context["page"]] == [booking.pk]
    assert notices() == [("linxiaowen", "offerings.booked", booking.pk)]
    assert [(m.to, m.subject) for m in outbox] == [
        ([member.email], email_subject("Booked: %(title)s", title="女企业家专属金融服务"))]
    starts = timezone.localtime(slot.starts_at)
    assert f"{starts:%Y-%m-%d %H:%M}" in outbox[0].body


def test_the_offering_page_shows_places_left_and_her_booking(client, member):
    offering = OfferingFactory()
    free = OfferingSlotFactory(offering=offering, capacity=3, starts_at=timezone.now() + timedelta(days=1))
    SlotBookingFactory(slot=free)
    full = OfferingSlotFactory(offering=offering, capacity=1, starts_at=timezone.now() + timedelta(days=2))
    SlotBookingFactory(slot=full)
    mine = OfferingSlotFactory(offering=offering, capacity=2, starts_at=timezone.now() + timedelta(days=3))
    booking = SlotBookingFactory(slot=mine, member=member)
    OfferingSlotFactory(offering=offering, starts_at=timezone.now() - timedelta(hours=1))  # begun: not shown
    client.force_login(member)

    response = client.get(reverse("offerings:detail", args=[offering.pk]))

    slots = response.context["slots"]
    assert [(s.pk, s.left, s.my_booking) for s in slots] == [(free.pk, 2, None), (full.pk, 0, None),
                                                              (mine.pk, 1, booking.pk)]
    html = response.content.decode()
    assert [squash(x) for x in _between(html, 'class="slot-left', "</span>")] == [
        zh_n("%(n)s place left", "%(n)s places left", 2), zh("Full"), zh_n("%(n)s place left", "%(n)s places left", 1)]
    assert html.count(reverse("offerings:book", args=[free.pk])) == 1
    assert reverse("offerings:book", args=[full.pk]) not in html
    assert reverse("offerings:cancel", args=[booking.pk]) in html


def test_the_kept_rows_follow_each_booking_and_hold_no_token(client, member, other_member):
    offering = OfferingFactory()
    slot = OfferingSlotFactory(offering=offering, capacity=2, starts_at=timezone.now() + timedelta(days=1))
    url = reverse("offerings:detail", args=[offering.pk])
    book = reverse("offerings:book", args=[slot.pk])
    client.force_login(member)

    def row(html: str) -> str:
        return re.search(r'<li class="card slot.*?</li>', html, re.S).group(0)

    first = client.get(url).content.decode()
    assert zh_n("%(n)s place left", "%(n)s places left", 2) in row(first)
    # Her "Book" submits the page's one form, which holds this request's token; the row holds none.
    assert f'form="slot-booking" formaction="{book}"' in row(first)
    assert "csrfmiddlewaretoken" not in row(first)
    assert re.search(r'<form id="slot-booking" method="post" hidden>'
                     r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+"></form>', first)

    slot_booking.book(slot=slot, member=other_member)
    assert zh_n("%(n)s place left", "%(n)s places left", 1) in row(client.get(url).content.decode())

    client.post(book)
    mine = SlotBooking.objects.get(member=member)
    after = row(client.get(url).content.decode())
    assert zh("Booked") in after and reverse("offerings:cancel", args=[mine.pk]) in after
    assert book not in after

    # Another member's page of the same time: his own row, not hers.
    client.force_login(other_member)
    his = row(client.get(url).content.decode())
    assert reverse("offerings:cancel", args=[mine.pk]) not in his
    assert zh("Full") in his


def _between(html: str, start: str, end: str) -> list[str]:
    parts = html.split(start)[1:]
    return [p.split(">", 1)[1].split(end, 1)[0] for p in parts]


def test_a_full_slot_refuses_with_a_clear_message(client, member):
    slot = OfferingSlotFactory(capacity=1)
    SlotBookingFactory(slot=slot)
    client.force_login(member)

    response = client.post(reverse("offerings:book", args=[slot.pk]), follow=True)

    assert response.redirect_chain == [(reverse("offerings:detail", args=[slot.offering.pk]), 302)]
    assert messages_of(response) == [zh("This time slot is full. Please choose another time.")]
    assert SlotBooking.objects.filter(member=member).count() == 0
    with pytest.raises(slot_booking.SlotBookingError) as refused:
        slot_booking.book(slot=slot, member=member)
    assert str(refused.value) == zh("This time slot is full. Please choose another time.")


def test_a_cancelled_booking_frees_its_place(member, other_member):
    slot = OfferingSlotFactory(capacity=1)
    booking = slot_booking.book(slot=slot, member=member)
    with pytest.raises(slot_booking.SlotBookingError):
        slot_booking.book(slot=slot, member=other_member)

    slot_booking.cancel(booking=booking, member=member)
    second = slot_booking.book(slot=slot, member=other_member)

    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    assert booking.cancelled_at is not None
    assert booked_members(slot) == [other_member.username]
    assert second.status == B.BOOKED
    assert notices() == [("linxiaowen", "offerings.booked", booking.pk),
                         ("linxiaowen", "offerings.cancelled", booking.pk),
                         ("zhouyutong", "offerings.booked", second.pk)]


def test_cancelling_asks_first_then_frees_the_place_and_tells_her(client, member, committed, outbox):
    slot = OfferingSlotFactory(capacity=1, offering=OfferingFactory(title="创业辅导时段"))
    booking = SlotBookingFactory(slot=slot, member=member)
    client.force_login(member)
    url = reverse("offerings:cancel", args=[booking.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert squash(confirm.content.decode()).count(zh("Cancel your booking?")) == 1
    booking.refresh_from_db()
    assert booking.status == B.BOOKED  # asking changes nothing

    with committed():
        response = client.post(url, follow=True)

    booking.refresh_from_db()
    assert booking.status == B.CANCELLED
    assert messages_of(response) == [zh("Your booking is cancelled; the place is free for others.")]
    assert [(m.to, m.subject) for m in outbox] == [
        ([member.email], email_subject("Booking cancelled: %(title)s", title="创业辅导时段"))]
    assert slot_booking.places_left(capacity=slot.capacity, booked=slot_booking.booked_count(slot)) == 1


def test_a_slot_that_has_begun_can_be_neither_booked_nor_cancelled(client, member, other_member):
    begun = OfferingSlotFactory(capacity=5, starts_at=timezone.now() - timedelta(minutes=1))
    booking = SlotBookingFactory(slot=begun, member=other_member)
    client.force_login(member)

    response = client.post(reverse("offerings:book", args=[begun.pk]), follow=True)
    assert messages_of(response) == [zh("This time slot has already begun and can no longer be booked.")]
    with pytest.raises(slot_booking.SlotBookingError) as refused:
        slot_booking.cancel(booking=booking, member=other_member)
    assert str(refused.value) == zh("This time slot has already begun and can no longer be cancelled.")
    booking.refresh_from_db()
    assert booking.status == B.BOOKED
    assert SlotBooking.objects.filter(member=member).count() == 0
    # The same rule decides what 我的预约 offers.
    client.force_login(other_member)
    page = client.get(reverse("offerings:mine"))
    assert [b.can_cancel for b in page.context["page"]] == [False]
    assert reverse("offerings:cancel", args=[booking.pk]) not in page.content.decode()
    assert slot_booking.slot_open(begun) is False
    assert slot_booking.slot_open(begun, now=begun.starts_at - timedelta(seconds=1)) is True
    # The offering's page lists it, with her booking, until it begins; not after.
    page = reverse("offerings:detail", args=[begun.offering_id])
    with time_machine.travel(begun.starts_at - timedelta(minutes=5), tick=False):
        assert [(s.pk, s.my_booking) for s in client.get(page).context["slots"]] == [(begun.pk, booking.pk)]
    assert client.get(page).context["slots"] == []


def test_one_booking_per_member_per_slot(member):
    slot = OfferingSlotFactory(capacity=5)
    first = slot_booking.book(slot=slot, member=member)
    again = slot_booking.book(slot=slot, member=member)

    assert again.pk == first.pk
    assert booked_members(slot) == [member.username]
    # The database refuses a second active booking whoever writes it.
    from django.db import IntegrityError, transaction
    with pytest.raises(IntegrityError), transaction.atomic():
        SlotBooking.objects.create(slot=slot, member=member)
    # After cancelling she may book the same slot again.
    slot_booking.cancel(booking=first, member=member)
    third = slot_booking.book(slot=slot, member=member)
    assert third.pk != first.pk
    assert list(SlotBooking.objects.filter(slot=slot).order_by("pk").values_list("status", flat=True)) == [
        B.CANCELLED, B.BOOKED]


def test_a_member_not_yet_approved_sees_her_status_and_cannot_book(client):
    pending = MemberProfileFactory(status=MemberStatus.PENDING).user
    slot = OfferingSlotFactory(capacity=3)
    client.force_login(pending)

    for url in [reverse("offerings:list"), reverse("offerings:detail", args=[slot.offering.pk]),
                reverse("offerings:mine")]:
        response = client.get(url)
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == "members/awaiting_approval.html"
    client.post(reverse("offerings:book", args=[slot.pk]))
    assert SlotBooking.objects.count() == 0
    with pytest.raises(slot_booking.SlotBookingError) as refused:
        slot_booking.book(slot=slot, member=pending)
    assert str(refused.value) == zh("Offerings are for approved members of the alliance.")


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("offerings:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unpublished_offering_answers_404_everywhere(client, member):
    hidden = OfferingFactory(published=False, title="尚未发布的服务")
    slot = OfferingSlotFactory(offering=hidden, capacity=3)
    by_appointment = OfferingFactory(published=False, mode=OfferingMode.APPOINTMENT)
    client.force_login(member)

    assert client.get(reverse("offerings:detail", args=[hidden.pk])).status_code == 404
    assert client.post(reverse("offerings:book", args=[slot.pk])).status_code == 404
    assert client.get(reverse("offerings:appointment", args=[by_appointment.pk])).status_code == 404
    assert client.post(reverse("offerings:appointment", args=[by_appointment.pk]),
                       {"message": "想预约", "preferred_contact": Contact.SITE}).status_code == 404
    assert "尚未发布的服务" not in client.get(reverse("offerings:list")).content.decode()
    assert SlotBooking.objects.count() == 0
    assert Ticket.objects.count() == 0
    with pytest.raises(slot_booking.SlotBookingError) as refused:
        slot_booking.book(slot=slot, member=member)
    assert str(refused.value) == zh("This offering does not take bookings.")


def test_another_member_s_booking_answers_404(client, member, other_member):
    booking = SlotBookingFactory(member=other_member)
    client.force_login(member)

    assert client.get(reverse("offerings:cancel", args=[booking.pk])).status_code == 404
    assert client.post(reverse("offerings:cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == B.BOOKED


def test_the_list_shows_published_offerings_by_programme(client, member):
    finance = OfferingFactory(title="女企业家专属金融服务", programme=programme("link"))
    childcare = OfferingFactory(title="儿童公益托管中心", programme=programme("support"),
                                mode=OfferingMode.APPOINTMENT, category=Category.CHILDCARE)
    OfferingFactory(title="草稿", published=False)
    client.force_login(member)

    everything = client.get(reverse("offerings:list"))
    support = client.get(reverse("offerings:list"), {"programme": "support"})
    unknown = client.get(reverse("offerings:list"), {"programme": "nonsense"})

    # Programmes in their order: 相助她空间 (support) before 相链她科企 (link).
    assert list(everything.context["page"]) == [childcare, finance]
    assert list(support.context["page"]) == [childcare]
    assert list(unknown.context["page"]) == [childcare, finance]


# --- appointments -----------------------------------------------------------------------------

def test_an_appointment_request_becomes_an_inbox_ticket_in_the_offering_s_category(client, member, committed, outbox):
    offering = OfferingFactory(title="儿童公益托管中心", mode=OfferingMode.APPOINTMENT, category=Category.CHILDCARE,
                               programme=programme("support"))
    client.force_login(member)

    with committed():
        response = client.post(reverse("offerings:appointment", args=[offering.pk]),
                               {"message": "孩子四岁，下周六上午需要托管。", "preferred_contact": Contact.PHONE})

    ticket = Ticket.objects.get()
    assert (ticket.member, ticket.category, ticket.subject, ticket.description, ticket.preferred_contact,
            ticket.status) == (member, Category.CHILDCARE, zh("Appointment: %(title)s", title="儿童公益托管中心"),
                               "孩子四岁，下周六上午需要托管。", Contact.PHONE, TicketStatus.NEW)
    assert OfferingAppointment.objects.get().offering == offering
    assert ticket.appointment.offering == offering
    assert (response.status_code, response["Location"]) == (302, ticket.get_absolute_url())
    # She is told through the inbox's own flow: its acknowledgement.
    assert [n.kind for n in Notice.objects.all()] == ["inbox.acknowledged"]
    assert [m.to for m in outbox] == [[member.email]]


def test_an_empty_appointment_request_is_refused_and_keeps_her_choice(client, member):
    offering = OfferingFactory(mode=OfferingMode.APPOINTMENT)
    client.force_login(member)

    response = client.post(reverse("offerings:appointment", args=[offering.pk]),
                           {"message": "", "preferred_contact": Contact.EMAIL})

    assert response.status_code == 400
    assert response.context["form"].errors == {"message": [zh("This field is required.")]}
    assert response.context["form"]["preferred_contact"].value() == Contact.EMAIL
    checked = re.findall(r'<input[^>]*name="preferred_contact"[^>]*>', response.content.decode())
    assert [('value="email"' in i, "checked" in i) for i in checked] == [(False, False), (True, True), (False, False)]
    assert Ticket.objects.count() == 0


def test_the_inbox_s_hourly_limit_applies_to_appointment_requests(client, member):
    from services.inbox import SUBMISSIONS_PER_HOUR

    offering = OfferingFactory(mode=OfferingMode.APPOINTMENT)
    for _ in range(SUBMISSIONS_PER_HOUR):
        offerings.appointment_request(offering=offering, member=member, message="想预约", preferred_contact=Contact.SITE)
    client.force_login(member)

    response = client.post(reverse("offerings:appointment", args=[offering.pk]),
                           {"message": "再约一次", "preferred_contact": Contact.SITE})

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        zh("You have sent %(n)d messages in the last hour. Please try again later.", n=SUBMISSIONS_PER_HOUR)]
    assert response.context["form"]["message"].value() == "再约一次"
    assert OfferingAppointment.objects.count() == SUBMISSIONS_PER_HOUR


def test_a_slot_offering_takes_no_appointment_request(client, member):
    offering = OfferingFactory(mode=OfferingMode.SLOTS)
    client.force_login(member)
    assert client.get(reverse("offerings:appointment", args=[offering.pk])).status_code == 404
    with pytest.raises(offerings.OfferingError) as refused:
        offerings.appointment_request(offering=offering, member=member, message="x", preferred_contact=Contact.SITE)
    assert str(refused.value) == zh("This offering does not take appointment requests.")


# --- publishing, audit, programme pages ---------------------------------------------------------

def test_publishing_and_bookings_are_in_the_audit_trail(member, staff_in_group):
    from xiangcheng.core import audit

    staff = staff_in_group("qiyefuwu", "企业服务")
    offering = OfferingFactory(published=False)
    assert offerings.offerings_publish(offering_ids=[offering.pk], published=True, actor=staff) == 1
    assert offerings.offerings_publish(offering_ids=[offering.pk], published=True, actor=staff) == 0
    slot = OfferingSlotFactory(offering=offering, capacity=2)
    booking = slot_booking.book(slot=slot, member=member)
    slot_booking.cancel(booking=booking, member=member)

    offering.refresh_from_db()
    assert offering.published is True
    published = [e for e in audit.history(offering) if e.label == audit.UPDATED]
    assert [(e.actor_id, [(c.name, c.old, c.new) for c in e.changes]) for e in published] == [
        (staff.pk, [("published", False, True)])]
    assert [(e.label, e.actor_id) for e in audit.history(booking)] == [
        (audit.CREATED, member.pk), (B.CANCELLED.value, member.pk)]


def test_offerings_appear_on_their_programme_s_page(client):
    OfferingFactory(title="女企业家专属金融服务", programme=programme("link"))
    OfferingFactory(title="LADIES 聚力空间", programme=programme("support"))
    OfferingFactory(title="未发布", programme=programme("link"), published=False)

    link = client.get(programme("link").get_absolute_url()).content.decode()
    support = client.get(programme("support").get_absolute_url()).content.decode()
    gather = client.get(programme("gather").get_absolute_url()).content.decode()

    assert 'id="section-offerings"' in link and "女企业家专属金融服务" in link and "未发布" not in link
    assert "LADIES 聚力空间" in support and "女企业家专属金融服务" not in support
    assert 'id="section-offerings"' not in gather


def test_the_enterprise_service_role_keeps_offerings_and_reads_bookings():
    from tests.core.test_roles import held

    assert {c for app, c in held("企业服务") if app == "services"} >= {
        "view_offering", "add_offering", "change_offering", "delete_offering", "view_offeringslot",
        "add_offeringslot", "change_offeringslot", "delete_offeringslot", "view_slotbooking",
        "view_offeringappointment"}
    assert ("services", "change_slotbooking") not in held("企业服务")


# --- query counts ---------------------------------------------------------------------------------

def test_the_offering_list_queries_do_not_grow_with_rows(client, member):
    client.force_login(member)
    for _ in range(5):
        OfferingFactory()
    at_5 = queries_for(client, reverse("offerings:list"))
    for i in range(45):
        OfferingFactory(programme=programme("support" if i % 2 else "link"))
    assert queries_for(client, reverse("offerings:list")) == at_5


def test_my_bookings_queries_do_not_grow_with_rows(client, member):
    client.force_login(member)
    for _ in range(5):
        SlotBookingFactory(member=member)
    at_5 = queries_for(client, reverse("offerings:mine"))
    for i in range(45):
        SlotBookingFactory(member=member, status=B.CANCELLED if i % 3 else B.BOOKED)
    assert queries_for(client, reverse("offerings:mine")) == at_5


def test_the_offering_page_queries_do_not_grow_with_slots(client, member):
    client.force_login(member)
    offering = OfferingFactory()
    for i in range(5):
        SlotBookingFactory(slot=OfferingSlotFactory(offering=offering, capacity=3,
                                                    starts_at=timezone.now() + timedelta(hours=i + 1)))
    at_5 = queries_for(client, reverse("offerings:detail", args=[offering.pk]))
    for i in range(45):
        SlotBookingFactory(slot=OfferingSlotFactory(offering=offering, capacity=3,
                                                    starts_at=timezone.now() + timedelta(days=1, hours=i)),
                           member=member)
    assert queries_for(client, reverse("offerings:detail", args=[offering.pk])) == at_5


# --- demo ---------------------------------------------------------------------------------------

def test_the_demo_offerings_load_once_two_with_slots_over_the_next_two_weeks():
    from services import offering_demo
    from services.models import Offering, OfferingSlot

    offering_demo.demo_load()
    slots = OfferingSlot.objects.count()
    offering_demo.demo_load()

    assert sorted(Offering.objects.values_list("title", "programme__slug", "mode", "category", "published")) == [
        ("LADIES 聚力空间", "support", OfferingMode.SLOTS, Category.SPACE, True),
        ("儿童公益托管中心", "support", OfferingMode.APPOINTMENT, Category.CHILDCARE, True),
        ("创业辅导", "link", OfferingMode.APPOINTMENT, Category.OTHER, True),
        ("女企业家专属金融服务", "link", OfferingMode.SLOTS, Category.FINANCE, True),
    ]
    assert OfferingSlot.objects.count() == slots > 0
    today = timezone.localdate()
    days = {timezone.localtime(s.starts_at).date() for s in OfferingSlot.objects.all()}
    assert min(days) > today
    assert max(days) <= today + timedelta(days=14)
    assert set(OfferingSlot.objects.values_list("offering__title", flat=True)) == {"LADIES 聚力空间", "女企业家专属金融服务"}
