"""The events' dashboard figures: events held, sign-ups, attendance, childcare, per kind and month."""

from datetime import date, timedelta

import pytest

from events.figures import events_figures
from events.models import EventStatus, Kind, RegistrationStatus
from tests.core.dashboard_support import AFTER, BEFORE, DECEMBER, FIRST, LAST, by_label, pinned, texts
from tests.helpers import label, zh
from xiangcheng.core.figures import Period

from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

S = RegistrationStatus


def _event(starts_at, **fields):
    return EventFactory(starts_at=starts_at, registration_opens_at=starts_at - timedelta(days=10),
                        registration_closes_at=starts_at - timedelta(hours=1),
                        cancellation_deadline=starts_at - timedelta(days=1), **fields)


@pytest.fixture
def december():
    with pinned():
        salon = _event(FIRST, childcare_offered=True, childcare_places=5)
        training = _event(LAST - timedelta(hours=2), kind=Kind.TRAINING)
        RegistrationFactory(event=salon, children_count=2, checked_in_at=FIRST)
        RegistrationFactory(event=salon, children_count=1)
        RegistrationFactory(event=salon, status=S.CANCELLED, children_count=3)
        RegistrationFactory(event=salon, status=S.WAITLISTED)
        RegistrationFactory(event=training, checked_in_at=LAST)
        RegistrationFactory(event=training, checked_in_at=LAST)
        RegistrationFactory(event=training)
        # Not in December: the evening before, New Year's Day, and a cancelled event.
        RegistrationFactory(event=_event(BEFORE - timedelta(hours=2)), checked_in_at=BEFORE)
        RegistrationFactory(event=_event(AFTER))
        RegistrationFactory(event=_event(FIRST + timedelta(days=3), status=EventStatus.CANCELLED))
        yield


def test_events_held_sign_ups_attendance_and_childcare_in_the_period(december):
    with pinned():
        figures = events_figures(period=DECEMBER, using="default")

    values = by_label(figures)
    assert values[zh("Events held")] == 2
    assert values[zh("Sign-ups (confirmed)")] == 5
    assert values[zh("Checked in")] == 3
    assert values[zh("Attendance rate")] == 0.6
    assert texts(figures)[zh("Attendance rate")] == "60%"
    assert values[zh("Childcare places used")] == 3
    kinds = dict(values[zh("Events by kind")])
    assert (kinds[label(Kind.SALON)], kinds[label(Kind.TRAINING)], sum(kinds.values())) == (1, 1, 2)
    assert values[zh("Events per month")] == [("2026-12", 2)]


def test_events_per_month_over_three_months(december):
    with pinned():
        values = by_label(events_figures(period=Period(first=date(2026, 11, 1), last=date(2027, 1, 31)),
                                         using="default"))

    assert values[zh("Events per month")] == [("2026-11", 1), ("2026-12", 2), ("2027-01", 1)]
    assert values[zh("Events held")] == 4
