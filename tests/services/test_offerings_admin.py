"""企业服务 staff publish offerings with their time slots in admin and see who booked each slot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from services.models import Category, Offering, OfferingMode, OfferingSlot, SlotBooking, SlotBookingStatus
from tests.helpers import audit_history, squash, zh, zh_n

from .helpers import form_values
from .offering_factories import OfferingFactory, OfferingSlotFactory, SlotBookingFactory, programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise_client(client, staff_in_group):
    client.force_login(staff_in_group("qiyefuwu", "企业服务"))
    return client


def test_staff_add_an_offering_with_its_slots_in_one_form(enterprise_client):
    url = reverse("admin:services_offering_add")
    values = form_values(enterprise_client.get(url).content.decode(), "offering_form")
    day = timezone.localdate() + timedelta(days=3)
    values.update({
        "programme": [str(programme("link").pk)], "title": ["女企业家专属金融服务"], "provider": ["合作银行相城支行"],
        "description": ["一对一金融咨询。"], "mode": [OfferingMode.SLOTS], "category": [Category.FINANCE],
        "published": ["on"],
        "slots-0-starts_at_0": [day.isoformat()], "slots-0-starts_at_1": ["10:00"],
        "slots-0-ends_at_0": [day.isoformat()], "slots-0-ends_at_1": ["10:45"], "slots-0-capacity": ["1"],
        "slots-1-starts_at_0": [day.isoformat()], "slots-1-starts_at_1": ["14:30"],
        "slots-1-ends_at_0": [day.isoformat()], "slots-1-ends_at_1": ["15:15"], "slots-1-capacity": ["2"],
        "_save": ["save"],
    })

    response = enterprise_client.post(url, values)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    offering = Offering.objects.get()
    assert (offering.title, offering.published, offering.programme.slug) == ("女企业家专属金融服务", True, "link")
    slots = [(timezone.localtime(s.starts_at).strftime("%H:%M"), timezone.localtime(s.ends_at).strftime("%H:%M"),
              s.capacity) for s in offering.slots.all()]
    assert slots == [("10:00", "10:45", 1), ("14:30", "15:15", 2)]
    # Stored in UTC, shown in Xiangcheng's time.
    assert offering.slots.first().starts_at.astimezone(timezone.get_fixed_timezone(0)).hour == 2


def test_a_slot_ending_before_it_starts_is_refused(enterprise_client):
    offering = OfferingFactory()
    url = reverse("admin:services_offeringslot_add")
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    values = form_values(enterprise_client.get(url).content.decode(), "offeringslot_form")
    values.update({"offering": [str(offering.pk)], "starts_at_0": [day], "starts_at_1": ["10:00"],
                   "ends_at_0": [day], "ends_at_1": ["09:00"], "capacity": ["1"], "_save": ["save"]})
    response = enterprise_client.post(url, values)

    assert response.status_code == 200
    assert OfferingSlot.objects.count() == 0
    assert list(response.context["errors"]) == [[zh("A time slot must end after it starts.")]]
    assert response.context["adminform"].form["capacity"].value() == "1"


def test_staff_see_each_slot_s_bookings(enterprise_client):
    slot, empty = OfferingSlotFactory(capacity=3), OfferingSlotFactory(capacity=3)
    first, second = SlotBookingFactory(slot=slot), SlotBookingFactory(slot=slot)
    SlotBookingFactory(slot=slot, status=SlotBookingStatus.CANCELLED)  # not counted

    listing = enterprise_client.get(reverse("admin:services_offeringslot_changelist"))
    page = enterprise_client.get(reverse("admin:services_offeringslot_change", args=[slot.pk]))

    assert {s.pk: s.booked_n for s in listing.context["cl"].result_list} == {slot.pk: 2, empty.pk: 0}
    html = squash(page.content.decode())
    assert str(first.member) in html and str(second.member) in html


def test_publishing_from_the_list_is_recorded_with_who_did_it(enterprise_client):
    offering = OfferingFactory(published=False)
    changelist = reverse("admin:services_offering_changelist")

    published = enterprise_client.post(changelist, {"action": "publish", "_selected_action": [str(offering.pk)]},
                                       follow=True)

    offering.refresh_from_db()
    assert offering.published is True
    assert [str(m) for m in published.context["messages"]] == [
        zh_n("%(n)d offering published.", "%(n)d offerings published.", 1)]
    rows = audit_history(enterprise_client.get(reverse("admin:services_offering_change", args=[offering.pk])))
    assert [row[1:4] for row in rows] == [
        [rows[0][1], zh("Created"), ""], ["qiyefuwu@fulian.example.cn", zh("Changed"), f"{zh('published')}: {zh('No')} → {zh('Yes')}"]]

    withdrawn = enterprise_client.post(changelist, {"action": "withdraw", "_selected_action": [str(offering.pk)]},
                                       follow=True)

    offering.refresh_from_db()
    assert offering.published is False
    assert [str(m) for m in withdrawn.context["messages"]] == [
        zh_n("%(n)d offering withdrawn.", "%(n)d offerings withdrawn.", 1)]


def test_a_slot_with_bookings_cannot_be_deleted(enterprise_client):
    slot = OfferingSlotFactory(capacity=2)
    booking = SlotBookingFactory(slot=slot)
    url = reverse("admin:services_offeringslot_delete", args=[slot.pk])

    asked = enterprise_client.get(url)
    refused = enterprise_client.post(url, {"post": "yes"})

    assert (asked.status_code, refused.status_code) == (200, 200)
    assert asked.context["protected"]  # Django's "cannot delete" page names the bookings
    assert OfferingSlot.objects.filter(pk=slot.pk).exists()
    assert SlotBooking.objects.filter(pk=booking.pk, status="booked").exists()


def test_a_slot_with_bookings_cannot_be_deleted_from_its_offering_either(enterprise_client):
    slot = OfferingSlotFactory(capacity=2)
    SlotBookingFactory(slot=slot)
    url = reverse("admin:services_offering_change", args=[slot.offering.pk])
    values = form_values(enterprise_client.get(url).content.decode(), "offering_form")
    values.update({"slots-0-DELETE": ["on"], "_save": ["save"]})

    response = enterprise_client.post(url, values)

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert len(formset.non_form_errors()) == 1  # Django's "… would require deleting protected objects"
    assert OfferingSlot.objects.filter(pk=slot.pk).exists()
    assert SlotBooking.objects.filter(slot=slot).count() == 1


def test_a_slot_nobody_booked_can_be_deleted(enterprise_client):
    slot = OfferingSlotFactory(capacity=2)

    response = enterprise_client.post(reverse("admin:services_offeringslot_delete", args=[slot.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not OfferingSlot.objects.filter(pk=slot.pk).exists()
