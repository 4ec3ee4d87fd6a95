"""Sign-up rules: seats, waitlist, approval, cancellation and promotion, audience, window, childcare."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from events import booking, changes
from events.booking import BookingError
from events.models import Audience, Event, EventStatus, Registration, RegistrationStatus
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import zh
from xiangcheng.core.models import Notice

from .factories import EventFactory, RegistrationFactory
from .helpers import admin_event_data, event_notices, mail_subject, seat_counts

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def members(n: int) -> list:
    return [MemberProfileFactory().user for _ in range(n)]


def kinds(registration: Registration) -> list[str]:
    return [kind.removeprefix("events.") for kind in
            event_notices(registration=registration).order_by("pk").values_list("kind", flat=True)]


def sign_up_refused(event, user, children_ages=()) -> str:
    with pytest.raises(BookingError) as info:
        booking.sign_up(event_id=event.pk, user=user, children_ages=children_ages, children_consent=True)
    return str(info.value)


# Seats and waitlist ---------------------------------------------------------------------


def test_confirms_while_seats_remain_then_waitlists_in_order():
    event = EventFactory(capacity=2)
    users = members(4)
    registrations = [booking.sign_up(event_id=event.pk, user=u) for u in users]

    assert [r.status for r in registrations] == [S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.WAITLISTED]
    assert [booking.waitlist_position(r) for r in registrations] == [None, None, 1, 2]
    assert [kinds(r) for r in registrations] == [["confirmed"], ["confirmed"], ["waitlisted"], ["waitlisted"]]
    assert seat_counts(event)[0] == 2


def test_signing_up_twice_returns_the_same_registration():
    event = EventFactory(capacity=5)
    user = members(1)[0]
    first = booking.sign_up(event_id=event.pk, user=user)
    second = booking.sign_up(event_id=event.pk, user=user)

    assert second.pk == first.pk
    assert Registration.objects.filter(event=event, user=user).count() == 1
    assert kinds(first) == ["confirmed"]


def test_signing_up_again_returns_hers_whether_a_seat_is_left_the_event_is_full_or_sign_up_closed():
    event = EventFactory(capacity=2)
    her, other, third = members(3)
    seated = booking.sign_up(event_id=event.pk, user=her)
    assert booking.sign_up(event_id=event.pk, user=her).pk == seated.pk  # a seat is left: hers is found
    booking.sign_up(event_id=event.pk, user=third)
    waiting = booking.sign_up(event_id=event.pk, user=other)
    assert booking.sign_up(event_id=event.pk, user=other).pk == waiting.pk  # full: her place on the waitlist

    Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    assert [booking.sign_up(event_id=event.pk, user=u).pk for u in (her, other)] == [seated.pk, waiting.pk]
    assert sign_up_refused(event, members(1)[0]) == zh("Sign-up for this event has closed.")

    assert sorted(Registration.objects.filter(event=event).values_list("user", "status")) == sorted([
        (her.pk, S.CONFIRMED), (third.pk, S.CONFIRMED), (other.pk, S.WAITLISTED)])
    assert [kinds(seated), kinds(waiting)] == [["confirmed"], ["waitlisted"]]
    assert seat_counts(event)[0] == 2


def test_database_allows_one_active_registration_per_member_but_a_new_one_after_cancelling():
    event = EventFactory()
    user = members(1)[0]
    RegistrationFactory(event=event, user=user, status=S.CANCELLED)
    RegistrationFactory(event=event, user=user, status=S.WAITLISTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=event, user=user, status=S.PENDING)
    assert list(Registration.objects.filter(event=event, user=user).order_by("pk")
                .values_list("status", flat=True)) == [S.CANCELLED, S.WAITLISTED]


def test_full_event_without_waitlist_refuses():
    event = EventFactory(capacity=1, waitlist_enabled=False)
    first, second = members(2)
    assert booking.sign_up(event_id=event.pk, user=first).status == S.CONFIRMED

    assert sign_up_refused(event, second) == zh("This event is full.")
    assert Registration.objects.filter(event=event).count() == 1


# Approval -------------------------------------------------------------------------------


def test_approval_mode_starts_pending_and_staff_approve_or_reject(django_capture_on_commit_callbacks, outbox):
    event = EventFactory(capacity=1, requires_approval=True, title="科企会客厅")
    a, b, c = members(3)
    ra, rb, rc = (booking.sign_up(event_id=event.pk, user=u) for u in (a, b, c))
    assert [r.status for r in (ra, rb, rc)] == [S.PENDING, S.PENDING, S.PENDING]
    assert seat_counts(event)[0] == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert booking.registrations_decide(registration_ids=[ra.pk, rb.pk], approve=True) == 2
        assert booking.registrations_decide(registration_ids=[rc.pk], approve=False) == 1
    for r in (ra, rb, rc):
        r.refresh_from_db()

    assert [r.status for r in (ra, rb, rc)] == [S.CONFIRMED, S.WAITLISTED, S.REJECTED]
    assert booking.waitlist_position(rb) == 1
    assert [kinds(r) for r in (ra, rb, rc)] == [["pending", "approved"], ["pending", "waitlisted"],
                                                ["pending", "rejected"]]
    assert [(m.to, m.subject) for m in outbox] == [
        ([a.email], mail_subject("Sign-up approved: %(t)s", "科企会客厅")),
        ([b.email], mail_subject("You are on the waitlist: %(t)s", "科企会客厅")),
        ([c.email], mail_subject("Sign-up not approved: %(t)s", "科企会客厅")),
    ]
    # Only pending sign-ups are decided: a second decision changes nothing.
    assert booking.registrations_decide(registration_ids=[ra.pk, rc.pk], approve=False) == 0
    assert list(Registration.objects.filter(pk__in=[ra.pk, rc.pk]).order_by("pk")
                .values_list("status", flat=True)) == [S.CONFIRMED, S.REJECTED]


def test_approval_of_a_full_event_without_waitlist_leaves_the_request_pending():
    event = EventFactory(capacity=1, requires_approval=True, waitlist_enabled=False)
    a, b = members(2)
    ra, rb = booking.sign_up(event_id=event.pk, user=a), booking.sign_up(event_id=event.pk, user=b)
    assert booking.registrations_decide(registration_ids=[ra.pk, rb.pk], approve=True) == 1
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.status, rb.status) == (S.CONFIRMED, S.PENDING)
    assert kinds(rb) == ["pending"]
    assert booking.registrations_decide(registration_ids=[rb.pk], approve=False) == 1
    rb.refresh_from_db()
    assert rb.status == S.REJECTED


def test_approval_waitlists_when_her_children_do_not_fit_the_childcare():
    event = EventFactory(capacity=5, requires_approval=True, childcare_offered=True, childcare_places=2)
    a, b = members(2)
    ra = booking.sign_up(event_id=event.pk, user=a, children_ages=[3, 5], children_consent=True)
    rb = booking.sign_up(event_id=event.pk, user=b, children_ages=[4], children_consent=True)
    assert booking.registrations_decide(registration_ids=[ra.pk, rb.pk], approve=True) == 2
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.status, rb.status) == (S.CONFIRMED, S.WAITLISTED)
    assert seat_counts(event)[1] == 2


def test_approving_in_a_cancelled_event_confirms_nobody_but_rejecting_still_works():
    event = EventFactory(capacity=5, requires_approval=True)
    a, b = members(2)
    ra, rb = booking.sign_up(event_id=event.pk, user=a), booking.sign_up(event_id=event.pk, user=b)
    changes.event_cancel(event=event)
    assert booking.registrations_decide(registration_ids=[ra.pk], approve=True) == 0
    assert booking.registrations_decide(registration_ids=[rb.pk], approve=False) == 1
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert (ra.status, rb.status) == (S.PENDING, S.REJECTED)


# Cancellation and promotion -------------------------------------------------------------


def test_cancel_before_deadline_promotes_the_first_waitlisted_who_gets_an_email(
        django_capture_on_commit_callbacks, outbox):
    event = EventFactory(capacity=1, title="女企业家产业分享会")
    holder, first_in_line, second_in_line = members(3)
    seat = booking.sign_up(event_id=event.pk, user=holder)
    w1 = booking.sign_up(event_id=event.pk, user=first_in_line)
    w2 = booking.sign_up(event_id=event.pk, user=second_in_line)
    assert outbox == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cancelled = booking.cancel(registration=seat, user=holder)

    assert len(callbacks) == 1  # the promotion's message, sent after the one commit
    assert cancelled.status == S.CANCELLED
    assert cancelled.cancelled_at is not None
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert (w1.status, w2.status) == (S.CONFIRMED, S.WAITLISTED)
    assert booking.waitlist_position(w2) == 1
    assert kinds(w1) == ["waitlisted", "promoted"]
    assert [(m.to, m.subject) for m in outbox] == [
        ([first_in_line.email], mail_subject("A seat is yours: %(t)s", "女企业家产业分享会"))]
    assert event_notices(registration=w1, kind="promoted").get().state == Notice.State.SENT


def test_cancel_and_promotion_are_one_transaction(monkeypatch):
    """If telling the promoted member fails, her seat is not taken and the cancellation is undone."""
    event = EventFactory(capacity=1)
    holder, waiting = members(2)
    seat = booking.sign_up(event_id=event.pk, user=holder)
    w = booking.sign_up(event_id=event.pk, user=waiting)

    def broken_notify(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(booking, "notify_registration", broken_notify)
    with pytest.raises(RuntimeError):
        booking.cancel(registration=seat, user=holder)
    seat.refresh_from_db()
    w.refresh_from_db()
    assert (seat.status, seat.cancelled_at, w.status) == (S.CONFIRMED, None, S.WAITLISTED)


def test_cancel_of_a_waitlisted_registration_promotes_nobody():
    event = EventFactory(capacity=1)
    holder, waiting = members(2)
    booking.sign_up(event_id=event.pk, user=holder)
    w = booking.sign_up(event_id=event.pk, user=waiting)
    booking.cancel(registration=w, user=waiting)
    assert list(event.registrations.order_by("pk").values_list("status", flat=True)) == [S.CONFIRMED, S.CANCELLED]


def test_cancel_after_the_deadline_is_refused():
    event = EventFactory(cancellation_deadline=timezone.now() - timedelta(minutes=1))
    user = members(1)[0]
    registration = booking.sign_up(event_id=event.pk, user=user)
    with pytest.raises(BookingError) as info:
        booking.cancel(registration=registration, user=user)
    assert str(info.value) == zh("The cancellation deadline has passed. Please contact the organisers.")
    registration.refresh_from_db()
    assert (registration.status, registration.cancelled_at) == (S.CONFIRMED, None)


def test_cancelling_another_members_registration_is_refused():
    event = EventFactory()
    owner, intruder = members(2)
    registration = booking.sign_up(event_id=event.pk, user=owner)
    with pytest.raises(BookingError) as info:
        booking.cancel(registration=registration, user=intruder)
    assert str(info.value) == zh("This is not your registration.")
    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED


def test_cancelling_twice_is_refused():
    event = EventFactory()
    user = members(1)[0]
    registration = booking.cancel(registration=booking.sign_up(event_id=event.pk, user=user), user=user)
    with pytest.raises(BookingError) as info:
        booking.cancel(registration=registration, user=user)
    assert str(info.value) == zh("This registration is already cancelled.")


def test_cancelling_in_a_cancelled_event_gives_no_seat_to_the_waitlist(django_capture_on_commit_callbacks, outbox):
    event = EventFactory(capacity=1)
    holder, waiting = members(2)
    seat = booking.sign_up(event_id=event.pk, user=holder)
    w = booking.sign_up(event_id=event.pk, user=waiting)
    changes.event_cancel(event=event)
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(registration=seat, user=holder)
    w.refresh_from_db()
    assert w.status == S.WAITLISTED
    assert kinds(w) == ["waitlisted", "cancelled"]
    assert outbox == []


# Who may sign up, and when --------------------------------------------------------------


@pytest.mark.parametrize(("changes", "message"), [
    ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "Sign-up has not opened yet."),
    ({"registration_opens_at": timezone.now() - timedelta(days=3),
      "registration_closes_at": timezone.now() - timedelta(minutes=1)}, "Sign-up for this event has closed."),
    ({"starts_at": timezone.now() - timedelta(hours=1), "ends_at": timezone.now() + timedelta(hours=1),
      "registration_closes_at": timezone.now() + timedelta(days=1)}, "Sign-up for this event has closed."),
    ({"status": EventStatus.DRAFT}, "This event is not open for sign-up."),
    ({"status": EventStatus.CANCELLED}, "This event is not open for sign-up."),
], ids=["not-yet-open", "closed", "started", "draft", "cancelled"])
def test_sign_up_outside_the_window_is_refused(changes, message):
    event = EventFactory(**changes)
    assert sign_up_refused(event, members(1)[0]) == zh(message)
    assert Registration.objects.filter(event=event).count() == 0


def test_members_only_event_refuses_a_pending_member_and_an_account_without_profile():
    event = EventFactory(audience=Audience.MEMBERS)
    pending = MemberProfileFactory(status="pending").user
    no_profile = UserFactory()
    assert sign_up_refused(event, pending) == zh("This event is for approved members of the alliance.")
    assert sign_up_refused(event, no_profile) == zh("This event is for approved members of the alliance.")
    assert Registration.objects.filter(event=event).count() == 0


def test_verified_account_event_accepts_a_verified_non_member_and_refuses_an_unverified_one():
    event = EventFactory(audience=Audience.VERIFIED)
    by_email = UserFactory()  # verified email, no member profile
    by_phone = UserFactory(email="", phone="13912345678", phone_verified=True)
    unverified = UserFactory(email="", phone="13812345678", phone_verified=False)

    assert booking.sign_up(event_id=event.pk, user=by_email).status == S.CONFIRMED
    assert booking.sign_up(event_id=event.pk, user=by_phone).status == S.CONFIRMED
    assert sign_up_refused(event, unverified) == zh("Verify your email address or mobile number first.")


# Childcare ------------------------------------------------------------------------------


def test_childcare_places_are_enforced_and_a_sign_up_without_children_still_fits():
    event = EventFactory(capacity=10, childcare_offered=True, childcare_places=3)
    a, b, c, d = members(4)
    ra = booking.sign_up(event_id=event.pk, user=a, children_ages=[4, 7], children_consent=True)
    assert (ra.status, ra.children_count, ra.children_ages) == (S.CONFIRMED, 2, [4, 7])

    assert sign_up_refused(event, b, [5, 6]) == zh(
        "Childcare is full for this event. You can sign up without childcare.")
    assert booking.sign_up(event_id=event.pk, user=b).status == S.CONFIRMED
    assert booking.sign_up(event_id=event.pk, user=c, children_ages=[3], children_consent=True).status == S.CONFIRMED
    assert seat_counts(event)[1] == 3
    assert sign_up_refused(event, d, [9]) == zh(
        "Childcare is full for this event. You can sign up without childcare.")
    assert list(event.registrations.filter(status=S.CONFIRMED).order_by("pk")
                .values_list("children_count", flat=True)) == [2, 0, 1]


@pytest.mark.parametrize(("ages", "message"), [
    ([0], "Childcare is for children aged 1 to 14."),
    ([3, 15], "Childcare is for children aged 1 to 14."),
    ([2, 3, 4, 5, 6, 7], "You can book childcare for at most 5 children."),
])
def test_childcare_ages_are_validated(ages, message):
    event = EventFactory(childcare_offered=True, childcare_places=20)
    assert sign_up_refused(event, members(1)[0], ages) == zh(message)
    assert Registration.objects.filter(event=event).count() == 0


def test_event_without_childcare_refuses_children():
    event = EventFactory(childcare_offered=False)
    assert sign_up_refused(event, members(1)[0], [4]) == zh("This event does not offer childcare.")


def test_promotion_skips_a_waitlisted_member_whose_children_do_not_fit_and_takes_the_next():
    event = EventFactory(capacity=2, childcare_offered=True, childcare_places=2)
    with_kids, alone, waiting_with_kid, waiting_alone = members(4)
    r_kids = booking.sign_up(event_id=event.pk, user=with_kids, children_ages=[3, 4], children_consent=True)  # childcare now full
    r_alone = booking.sign_up(event_id=event.pk, user=alone)
    w_kid = booking.sign_up(event_id=event.pk, user=waiting_with_kid, children_ages=[5], children_consent=True)
    w_alone = booking.sign_up(event_id=event.pk, user=waiting_alone)
    assert (w_kid.status, w_alone.status) == (S.WAITLISTED, S.WAITLISTED)

    booking.cancel(registration=r_alone, user=alone)  # a seat frees, childcare does not
    w_kid.refresh_from_db()
    w_alone.refresh_from_db()
    assert (w_kid.status, w_alone.status) == (S.WAITLISTED, S.CONFIRMED)
    assert booking.waitlist_position(w_kid) == 1

    booking.cancel(registration=r_kids, user=with_kids)  # a seat and two childcare places free
    w_kid.refresh_from_db()
    assert w_kid.status == S.CONFIRMED
    assert seat_counts(event) == (2, 1)


# Staff cancel or change an event --------------------------------------------------------


def test_event_cancel_tells_every_active_registrant(django_capture_on_commit_callbacks, outbox):
    event = EventFactory(capacity=1, title="数字化发展培训")
    confirmed_user, waiting_user = members(2)
    booking.sign_up(event_id=event.pk, user=confirmed_user)
    booking.sign_up(event_id=event.pk, user=waiting_user)
    pending = RegistrationFactory(event=event, status=S.PENDING)
    gone = RegistrationFactory(event=event, status=S.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        told = changes.event_cancel(event=event)

    assert told == 3
    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED
    assert sorted(m.to[0] for m in outbox) == sorted([confirmed_user.email, waiting_user.email, pending.user.email])
    assert {m.subject for m in outbox} == {mail_subject("Event cancelled: %(t)s", "数字化发展培训")}
    assert event_notices(kind="cancelled").count() == 3
    assert kinds(gone) == []
    assert sign_up_refused(event, members(1)[0]) == zh("This event is not open for sign-up.")


def test_admin_change_of_the_start_time_tells_registrants(client, event_manager, django_capture_on_commit_callbacks,
                                                         outbox):
    event = EventFactory(capacity=1, title="科技女性思维营")
    confirmed_user, waiting_user = members(2)
    booking.sign_up(event_id=event.pk, user=confirmed_user)
    booking.sign_up(event_id=event.pk, user=waiting_user)
    RegistrationFactory(event=event, status=S.CANCELLED)
    client.force_login(event_manager)
    url = reverse("admin:events_event_change", args=[event.pk])

    # Saving with nothing announced changed tells nobody.
    response = client.post(url, admin_event_data(event, description="地点与议程见海报。"))
    assert response.status_code == 302
    assert event_notices(kind="changed").count() == 0

    new_start = event.starts_at + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, admin_event_data(event, starts_at=new_start,
                                                     ends_at=new_start + timedelta(hours=2)))
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.starts_at == new_start
    changed = event_notices(kind="changed").order_by("recipient__pk")
    assert [n.recipient for n in changed] == [confirmed_user, waiting_user]
    assert sorted(m.to[0] for m in outbox) == sorted([confirmed_user.email, waiting_user.email])
    assert {m.subject for m in outbox} == {mail_subject("Event changed: %(t)s", "科技女性思维营")}


def test_admin_change_of_a_draft_event_tells_nobody(client, event_manager):
    event = EventFactory(status=EventStatus.DRAFT)
    RegistrationFactory(event=event)
    client.force_login(event_manager)
    response = client.post(reverse("admin:events_event_change", args=[event.pk]),
                           admin_event_data(event, starts_at=event.starts_at + timedelta(hours=1)))
    assert response.status_code == 302
    assert event_notices(kind="changed").count() == 0


def test_admin_raising_the_capacity_gives_the_new_seats_to_the_waitlist_first(
        client, event_manager, django_capture_on_commit_callbacks, outbox):
    event = EventFactory(capacity=1, title="互联网营销师培训")
    holder, first_in_line, second_in_line, latecomer = members(4)
    booking.sign_up(event_id=event.pk, user=holder)
    w1 = booking.sign_up(event_id=event.pk, user=first_in_line)
    w2 = booking.sign_up(event_id=event.pk, user=second_in_line)
    client.force_login(event_manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:events_event_change", args=[event.pk]),
                               admin_event_data(event, capacity=2))
    assert response.status_code == 302
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert (w1.status, w2.status) == (S.CONFIRMED, S.WAITLISTED)
    assert [(m.to, m.subject) for m in outbox] == [
        ([first_in_line.email], mail_subject("A seat is yours: %(t)s", "互联网营销师培训"))]
    # The next sign-up does not jump the queue.
    assert booking.sign_up(event_id=event.pk, user=latecomer).status == S.WAITLISTED
