"""Tickets and check-in: signed QR URLs, one check-in per ticket, the 活动管理员 group, the manual list."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from events import booking, checkin
from events.models import RegistrationStatus
from tests.factories import EVENT_MANAGER_GROUP, MemberProfileFactory, UserFactory
from tests.helpers import messages_of, squash, zh, zh_n

from .factories import EventFactory, RegistrationFactory
from .helpers import buttons

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(member):
    """林晓雯's confirmed seat, with childcare for two children."""
    event = EventFactory(title="科技女性思维营", childcare_offered=True, childcare_places=10)
    return booking.sign_up(event_id=event.pk, user=member, children_ages=[4, 7], children_consent=True)


def scan_url(registration) -> str:
    return reverse("events:checkin", args=[checkin.ticket_token(registration)])


def page_text(response) -> str:
    return squash(response.content.decode())


def checkin_buttons(response) -> list[str]:
    """The buttons of the check-in card (the page's main content)."""
    main = response.content.decode().split('<main id="main"', 1)[1]
    return buttons(main)


# Signatures -----------------------------------------------------------------------------


def test_ticket_token_round_trip(registration):
    token = checkin.ticket_token(registration)
    assert token.split(":")[0] == str(registration.pk)
    assert checkin.registration_from_token(token) == registration
    assert checkin.checkin_url(registration) == settings.SITE_URL + f"/events/check-in/{token}/"


def forged_tokens(registration, other) -> dict[str, str]:
    token = checkin.ticket_token(registration)
    pk, signature = token.split(":", 1)
    return {
        "other-pk-same-signature": f"{other.pk}:{signature}",
        "altered-signature": f"{pk}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        "unsigned": pk,
        "garbage": "not-a-ticket",
        "other-salt": signing.Signer(salt="members.something-else").sign(str(registration.pk)),
        "other-key": signing.Signer(key="another-secret", salt="events.checkin").sign(str(registration.pk)),
        "no-such-registration": signing.Signer(salt="events.checkin").sign("987654321"),
    }


@pytest.mark.parametrize("kind", ["other-pk-same-signature", "altered-signature", "unsigned", "garbage",
                                  "other-salt", "other-key", "no-such-registration"])
def test_forged_or_altered_codes_are_refused(manager_client, registration, other_member, kind):
    other = RegistrationFactory(event=registration.event, user=other_member)
    token = forged_tokens(registration, other)[kind]

    with pytest.raises(checkin.CheckinError) as info:
        checkin.registration_from_token(token)
    assert str(info.value) == zh("This code is not a valid ticket.")

    response = manager_client.get(reverse("events:checkin", args=[token]))
    assert response.status_code == 400
    assert response.context["error"] == zh("This code is not a valid ticket.")
    assert "registration" not in response.context
    text = page_text(response)
    assert zh("Invalid ticket") in text
    assert zh("This code is not a valid ticket.") in text
    other.refresh_from_db()
    registration.refresh_from_db()
    assert (other.checked_in_at, registration.checked_in_at) == (None, None)


# Checking in ----------------------------------------------------------------------------


def test_check_in_once_then_already_checked_in_with_the_first_time(registration, event_manager):
    done = checkin.check_in(registration=registration, staff=event_manager)
    assert done.checked_in_by == event_manager
    first_time = done.checked_in_at
    assert first_time is not None

    with pytest.raises(checkin.AlreadyCheckedIn) as info:
        checkin.check_in(registration=registration, staff=UserFactory(is_staff=True))
    assert info.value.at == first_time
    registration.refresh_from_db()
    assert (registration.checked_in_at, registration.checked_in_by) == (first_time, event_manager)


def test_scan_page_shows_her_and_her_childcare_then_checks_in_once(manager_client, registration, event_manager):
    url = scan_url(registration)
    response = manager_client.get(url)
    assert response.status_code == 200
    text = page_text(response)
    assert "林晓雯" in text
    assert "科技女性思维营" in text
    assert zh_n("Childcare: %(n)s child", "Childcare: %(n)s children", 2) in text
    assert "4, 7" in text
    assert checkin_buttons(response) == [zh("Confirm check-in")]

    response = manager_client.post(url)
    assert response.status_code == 200
    assert response.context["done"] is True
    assert zh("Checked in. Welcome!") in page_text(response)
    registration.refresh_from_db()
    first_time = registration.checked_in_at
    assert registration.checked_in_by == event_manager

    expected = zh("Already checked in at %(at)s.", at=timezone.localtime(first_time).strftime("%Y-%m-%d %H:%M"))
    for again in (manager_client.post(url), manager_client.get(url)):
        assert again.status_code == 200
        assert again.context["already"] == first_time
        assert "done" not in again.context
        assert expected in page_text(again)
        assert checkin_buttons(again) == []
    registration.refresh_from_db()
    assert registration.checked_in_at == first_time


def test_a_registration_that_is_not_confirmed_cannot_check_in(manager_client):
    waiting = RegistrationFactory(status=RegistrationStatus.WAITLISTED)
    response = manager_client.post(scan_url(waiting))
    assert response.status_code == 200
    message = zh("This registration is not confirmed (%(status)s).", status=waiting.get_status_display())
    assert response.context["error"] == message
    assert message in page_text(response)
    waiting.refresh_from_db()
    assert waiting.checked_in_at is None


# Who may check people in ----------------------------------------------------------------


def test_the_event_manager_group_has_exactly_its_permissions():
    group = Group.objects.get(name=EVENT_MANAGER_GROUP)
    assert sorted(group.permissions.values_list("content_type__app_label", "codename")) == sorted(
        [("core", "view_programme"), ("core", "view_notice"), ("core", "change_notice")]
        + [("events", codename) for codename in [
            "view_venue", "add_venue", "change_venue",
            "view_event", "add_event", "change_event",
            "view_registration", "change_registration", "checkin_registration",
        ]])


def test_anonymous_visitors_log_in_first(client, registration):
    for url in (scan_url(registration), reverse("events:checkin_list", args=[registration.event_id])):
        for response in (client.get(url), client.post(url, {"registration": registration.pk})):
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


@pytest.mark.parametrize("who", ["the-member-herself", "another-member", "staff-without-group"])
def test_a_logged_in_account_without_the_permission_is_never_sent_to_log_in_again(client, registration, who):
    # Logging in again would bring her straight back here: the redirect loop of a member who
    # scans her own QR code. Every such page answers at once instead.
    users = {
        "the-member-herself": registration.user,
        "another-member": MemberProfileFactory().user,
        "staff-without-group": UserFactory(is_staff=True),
    }
    client.force_login(users[who])
    for url in (scan_url(registration), reverse("events:checkin_list", args=[registration.event_id])):
        for response in (client.get(url), client.post(url, {"registration": registration.pk})):
            assert response.status_code in (200, 403)
            assert "Location" not in response
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_a_member_who_scans_her_own_ticket_is_told_to_show_it_at_the_door(client, registration):
    client.force_login(registration.user)
    for response in (client.get(scan_url(registration)), client.post(scan_url(registration))):
        assert response.status_code == 200
        assert response.context["own"] == registration
        text = page_text(response)
        assert zh("This is your ticket") in text
        assert zh("Show it to the staff at the door: they scan it to check you in. "
                  "There is nothing for you to do here.") in text
        assert "科技女性思维营" in text
        assert checkin_buttons(response) == []  # no "confirm check-in" for her
        assert f'href="{reverse("events:ticket", args=[registration.pk])}"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_her_own_ticket_page_says_when_she_was_checked_in(client, registration, event_manager):
    checked = checkin.check_in(registration=registration, staff=event_manager)
    client.force_login(registration.user)
    text = page_text(client.get(scan_url(registration)))
    at = timezone.localtime(checked.checked_in_at).strftime("%Y-%m-%d %H:%M")
    assert zh("You were checked in at %(at)s.", at=at) in text


@pytest.mark.parametrize("who", ["another-member", "staff-without-group"])
def test_anyone_else_without_the_permission_gets_a_clear_refusal(client, registration, who):
    user = MemberProfileFactory().user if who == "another-member" else UserFactory(is_staff=True)
    client.force_login(user)
    urls = [scan_url(registration), reverse("events:checkin", args=["not-a-ticket"]),
            reverse("events:checkin_list", args=[registration.event_id])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403
        text = page_text(response)
        assert zh("Only the event staff can check tickets in. If this is your own ticket, "
                  "log in with your own account to see it.") in text
        assert "林晓雯" not in text and "科技女性思维营" not in text  # nothing about the ticket


def test_event_manager_and_superuser_open_the_scan_page(client, registration, event_manager):
    for user in (event_manager, UserFactory(is_staff=True, is_superuser=True)):
        client.force_login(user)
        assert client.get(scan_url(registration)).status_code == 200


# The manual list ------------------------------------------------------------------------


def test_manual_list_searches_by_name_and_checks_in_by_post(manager_client, event_manager):
    event = EventFactory(capacity=3)
    names = ["林晓雯", "周雨桐", "王芳"]
    regs = {name: RegistrationFactory(event=event, user=MemberProfileFactory(real_name=name).user)
            for name in names}
    RegistrationFactory(event=event, user=MemberProfileFactory(real_name="周候补").user,
                        status=RegistrationStatus.WAITLISTED)
    url = reverse("events:checkin_list", args=[event.pk])

    response = manager_client.get(url)
    assert response.status_code == 200
    assert [r.user.profile.real_name for r in response.context["page"]] == sorted(names)
    assert response.context["attended"] == 0

    response = manager_client.get(url, {"q": "周"})
    assert [r.user.profile.real_name for r in response.context["page"]] == ["周雨桐"]

    # A browser sends the search percent-encoded; the list comes back with the same search.
    response = manager_client.post(f"{url}?q=%E5%91%A8", {"registration": regs["周雨桐"].pk}, follow=True)
    assert response.redirect_chain == [(f"{url}?q=%E5%91%A8", 302)]
    assert messages_of(response) == [zh("%(name)s is checked in.", name="周雨桐")]
    assert [r.user.profile.real_name for r in response.context["page"]] == ["周雨桐"]
    regs["周雨桐"].refresh_from_db()
    at = regs["周雨桐"].checked_in_at
    assert at is not None
    assert regs["周雨桐"].checked_in_by == event_manager

    response = manager_client.post(url, {"registration": regs["周雨桐"].pk}, follow=True)
    assert messages_of(response) == [zh("Already checked in at %(at)s.",
                                        at=timezone.localtime(at).strftime("%H:%M"))]
    assert response.context["attended"] == 1
    assert zh("%(n)s of %(total)s checked in", n=1, total=3) in page_text(response)
    regs["周雨桐"].refresh_from_db()
    assert regs["周雨桐"].checked_in_at == at


@pytest.mark.parametrize("value", ["not-a-number", "", "²", "999999"])
def test_manual_list_answers_404_to_a_bad_registration_value(manager_client, value):
    event = EventFactory()
    RegistrationFactory(event=event)
    response = manager_client.post(reverse("events:checkin_list", args=[event.pk]), {"registration": value})
    assert response.status_code == 404


def test_manual_list_does_not_check_in_a_waitlisted_registration_or_one_of_another_event(manager_client):
    event = EventFactory()
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)
    elsewhere = RegistrationFactory()
    for reg in (waiting, elsewhere):
        response = manager_client.post(reverse("events:checkin_list", args=[event.pk]), {"registration": reg.pk})
        assert response.status_code == 404
        reg.refresh_from_db()
        assert reg.checked_in_at is None


def test_attendance_count_counts_checked_in_registrations_only(manager_client, event_manager):
    event = EventFactory(capacity=10)
    regs = [RegistrationFactory(event=event) for _ in range(4)]
    for reg in regs[:3]:
        checkin.check_in(registration=reg, staff=event_manager)
    RegistrationFactory(event=EventFactory())  # another event's
    checkin.check_in(registration=RegistrationFactory(), staff=event_manager)

    response = manager_client.get(reverse("events:checkin_list", args=[event.pk]))
    assert response.context["attended"] == 3
    assert zh("%(n)s of %(total)s checked in", n=3, total=4) in page_text(response)


def test_attendance_counts_the_whole_event_while_staff_search(manager_client, event_manager):
    event = EventFactory(capacity=10)
    lin = RegistrationFactory(event=event, user=MemberProfileFactory(real_name="林晓雯").user)
    zhou = RegistrationFactory(event=event, user=MemberProfileFactory(real_name="周雨桐").user)
    RegistrationFactory(event=event, user=MemberProfileFactory(real_name="王芳").user)
    checkin.check_in(registration=zhou, staff=event_manager)
    # A cancelled registration counts neither as confirmed nor as attended.
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)

    response = manager_client.get(reverse("events:checkin_list", args=[event.pk]), {"q": "林"})
    assert [r.pk for r in response.context["page"]] == [lin.pk]
    assert (response.context["attended"], response.context["confirmed"]) == (1, 3)
    assert zh("%(n)s of %(total)s checked in", n=1, total=3) in page_text(response)
