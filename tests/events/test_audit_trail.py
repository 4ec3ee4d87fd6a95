"""Events and registrations in the audit trail: staff actions by name, a member's own cancellation,
attendee exports, and each object's history on its admin page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from events import booking
from events.models import RegistrationStatus
from tests.factories import MemberProfileFactory, UserFactory
from tests.helpers import audit_history, zh
from xiangcheng.core import audit

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def when(entry: audit.Entry) -> str:
    return timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")


def test_each_attendee_export_is_recorded_with_who_which_event_and_which_format(manager_client, event_manager):
    event, other = EventFactory(title="产业资源对接沙龙"), EventFactory()
    booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user)

    for fmt in ("xlsx", "csv"):
        assert manager_client.get(reverse("admin:events_event_export", args=[event.pk, fmt])).status_code == 200
    assert manager_client.get(f"/admin/events/event/{event.pk}/export.pdf").status_code == 404

    exports = [e for e in audit.history(event) if e.label == audit.EXPORTED]
    assert [(e.actor, e.context["what"], e.context["format"], e.url) for e in exports] == [
        (event_manager, "attendee list", "xlsx", f"/admin/events/event/{event.pk}/export.xlsx"),
        (event_manager, "attendee list", "csv", f"/admin/events/event/{event.pk}/export.csv"),
    ]
    assert [e.changes for e in exports] == [(), ()]
    assert [e.label for e in audit.history(other)] == ["created"]


def test_an_export_refused_for_lack_of_permission_records_nothing(client):
    event = EventFactory()
    client.force_login(UserFactory(is_staff=True))  # staff, but no events permission

    assert client.get(reverse("admin:events_event_export", args=[event.pk, "csv"])).status_code == 404
    assert [e.label for e in audit.history(event)] == ["created"]


def test_her_own_cancellation_is_recorded_as_hers(client):
    event = EventFactory()
    member = MemberProfileFactory().user
    registration = booking.sign_up(event_id=event.pk, user=member)
    client.force_login(member)

    url = reverse("events:cancel", args=[registration.pk])
    assert client.post(url).status_code == 302

    last = audit.history(registration)[-1]
    assert (last.label, last.actor, last.url) == ("cancelled", member, url)
    assert [(c.name, c.old, c.new) for c in last.changes][0] == ("status", "confirmed", "cancelled")


def test_the_event_page_shows_its_history_and_no_other_events(manager_client, event_manager):
    event, other = EventFactory(title="产业资源对接沙龙"), EventFactory(title="女性科技人才圆桌论坛")
    manager_client.post("/admin/events/event/", {"action": "cancel_events", "_selected_action": [event.pk, other.pk]})
    manager_client.get(reverse("admin:events_event_export", args=[event.pk, "csv"]))

    created, cancelled, exported = audit.history(event)
    rows = audit_history(manager_client.get(reverse("admin:events_event_change", args=[event.pk])))

    assert rows == [
        [when(created), zh("no one signed in"), zh("Created"), "", ""],
        [when(cancelled), str(event_manager), zh("Status: %(status)s", status=zh("Cancelled")),
         f'{zh("status")}: {zh("Published")} → {zh("Cancelled")}', ""],
        [when(exported), str(event_manager), f'{zh("Exported")} ({zh("attendee list")}, csv)', "", ""],
    ]


def test_the_registration_page_shows_who_decided(manager_client, event_manager):
    event = EventFactory(capacity=1, requires_approval=True)
    registration = booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user)
    manager_client.post("/admin/events/registration/", {"action": "approve", "_selected_action": [registration.pk]})

    rows = audit_history(manager_client.get(reverse("admin:events_registration_change", args=[registration.pk])))

    assert [row[1:3] for row in rows] == [
        [zh("no one signed in"), zh("Created")],
        [str(event_manager), zh("Status: %(status)s", status=zh("Confirmed"))],
    ]
    assert rows[1][3].startswith(f'{zh("status")}: {zh("Awaiting approval")} → {zh("Confirmed")}')
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
