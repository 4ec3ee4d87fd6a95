"""Booking childcare asks the guardian's separate consent to process her children's data (minors
under 14: sensitive personal information), recorded with its version; without it a clear error
next to the box, her input kept, and nothing saved."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from events import booking
from events.childcare_consent import CHILDCARE_CONSENT_VERSION
from events.forms import SignUpForm
from events.models import Registration, RegistrationStatus
from members.models import Consent
from tests.helpers import zh

from .factories import EventFactory
from .helpers import booking_box

pytestmark = pytest.mark.django_db

MISSING = ("To book childcare, tick the box to consent, as their guardian, to your children's data being processed. "
           "Or leave the ages empty to sign up without childcare.")


def childcare_consents(user) -> list[tuple[str, bool]]:
    return [(c.version, c.withdrawn_at is None)
            for c in Consent.objects.filter(user=user, kind=Consent.Kind.CHILDCARE_CHILDREN)]


def sign_up_url(event) -> str:
    return reverse("events:sign_up", args=[event.pk])


def test_the_form_shows_the_consent_box_with_its_own_text_unticked(client, member):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    client.force_login(member)
    box = booking_box(client.get(event.get_absolute_url()))
    label = str(SignUpForm().fields["children_consent"].label)
    assert escape(label) in box
    assert 'name="children_consent"' in box and "checked" not in box


def test_children_without_the_consent_are_refused_with_the_error_next_to_the_box(client, member):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    client.force_login(member)
    response = client.post(sign_up_url(event), {"children_ages": "4, 7"})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"children_consent": [zh(MISSING)]}
    box = booking_box(response)
    assert 'value="4, 7"' in box
    assert escape(zh(MISSING)) in box
    assert (Registration.objects.count(), childcare_consents(member)) == (0, [])


def test_with_the_consent_she_is_booked_and_the_consent_is_recorded_once_per_version(client, member):
    first, second = (EventFactory(childcare_offered=True, childcare_places=4) for _ in range(2))
    client.force_login(member)
    client.post(sign_up_url(first), {"children_ages": "4, 7", "children_consent": "on"})
    client.post(sign_up_url(second), {"children_ages": "5", "children_consent": "on"})

    assert sorted(Registration.objects.filter(user=member).values_list("status", "children_ages")) == [
        (RegistrationStatus.CONFIRMED, [4, 7]), (RegistrationStatus.CONFIRMED, [5])]
    assert childcare_consents(member) == [(CHILDCARE_CONSENT_VERSION, True)]


def test_no_children_no_consent_asked_or_recorded(client, member):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    client.force_login(member)
    client.post(sign_up_url(event), {"children_ages": ""})
    assert Registration.objects.get(user=member).children_count == 0
    assert childcare_consents(member) == []


def test_the_rule_is_in_the_booking_itself(member):
    event = EventFactory(childcare_offered=True, childcare_places=4)
    with pytest.raises(booking.ChildcareConsentMissing) as refused:
        booking.sign_up(event_id=event.pk, user=member, children_ages=[3])
    assert str(refused.value) == zh(MISSING)
    assert (Registration.objects.count(), childcare_consents(member)) == (0, [])
