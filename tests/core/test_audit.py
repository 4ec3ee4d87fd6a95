"""The audit trail's kernel: triggers record every change, whoever makes it; contexts say who and
why; Celery tasks name themselves; the whole trail in admin, only to those allowed to read it."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import changes as event_changes
from events.models import Event, EventStatus, Registration
from members.membership import profiles_reject
from members.models import MemberProfile, Status, User
from services import inbox
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    EVENT_MANAGER_GROUP,
    REVIEWER_GROUP,
    MemberProfileFactory,
    StaffFactory,
    UserFactory,
)
from tests.helpers import database_now, squash, zh
from xiangcheng.core import audit

from . import audit_tasks

TRAIL = "/admin/core/auditevent/"
REASON = "单位证明材料不全，请补充加盖公章的在职证明。"


def changes(entry: audit.Entry) -> list[tuple[str, object, object]]:
    return [(c.name, c.old, c.new) for c in entry.changes]


def browse_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="core", codename="browse_audit_trail")


# --- recorded whoever changes it ----------------------------------------------------------------

@pytest.mark.django_db
def test_a_bare_orm_update_outside_any_context_is_recorded_with_no_actor():
    user = UserFactory(username="wangfang")

    assert User.objects.filter(pk=user.pk).update(is_active=False) == 1

    entries = audit.history(user)
    assert [(e.label, e.actor_id, e.task, e.context) for e in entries] == [
        ("created", None, "", {}), ("updated", None, "", {})]
    assert changes(entries[1]) == [("is_active", True, False)]
    assert (entries[1].who, entries[1].changes[0].old_text, entries[1].changes[0].new_text) == (
        zh("no one signed in"), zh("Yes"), zh("No"))


@pytest.mark.django_db
def test_a_save_that_changes_no_tracked_field_records_nothing():
    user = UserFactory()
    user.first_name = "芳"
    user.last_login = timezone.now()
    user.save()

    assert [e.label for e in audit.history(user)] == ["created"]


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted_from_application_code():
    user = UserFactory()
    rows = User.pgh_event_model.objects.filter(pgh_obj_id=user.pk)

    for tamper in (lambda: rows.update(pgh_label="deleted"), lambda: rows.delete()):
        with pytest.raises(ProgrammingError, match="Cannot update or delete rows"), transaction.atomic():
            tamper()
    assert list(rows.values_list("pgh_label", flat=True)) == ["created"]


# --- context: who and why -------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_domain_function_records_its_actor_and_reason_with_exact_old_and_new_values():
    reviewer = StaffFactory(username="shenhe", groups=[REVIEWER_GROUP])
    profile = MemberProfileFactory(status=Status.PENDING)

    assert profiles_reject(profile_ids=[profile.pk], reviewer=reviewer, reason=REASON) == 1

    decision = audit.history(profile)[-1]
    profile.refresh_from_db()
    assert (decision.label, decision.actor, decision.reason) == ("rejected", reviewer, REASON)
    # The database writes a time as JSON text with its trailing zeros dropped: compared as a time.
    assert [(name, old, datetime.fromisoformat(new) if name == "reviewed_at" else new)
            for name, old, new in changes(decision)] == [
        ("status", "pending", "rejected"),
        ("reviewed_at", None, profile.reviewed_at),
        ("reviewed_by", None, reviewer.pk),
        ("rejection_reason", "", REASON),
    ]
    assert [(c.old_text, c.new_text) for c in decision.changes] == [
        (zh("Awaiting approval"), zh("Not approved")),
        ("—", timezone.localtime(profile.reviewed_at).strftime("%Y-%m-%d %H:%M")),
        ("—", str(reviewer)),
        ("—", REASON),
    ]


@pytest.mark.django_db
def test_a_reason_labels_only_the_changes_inside_its_block():
    """The context of a block ends with it, even inside a transaction that goes on writing."""
    actor = StaffFactory(username="zhuguan")
    first, second, third = UserFactory(), UserFactory(), UserFactory()

    with transaction.atomic(), audit.audit_context(actor=actor):
        User.objects.filter(pk=first.pk).update(is_staff=True)
        with audit.audit_context(reason="协助审核"):
            User.objects.filter(pk=second.pk).update(is_staff=True)
        User.objects.filter(pk=third.pk).update(is_active=False)
    with transaction.atomic():
        with audit.audit_context(actor=actor, reason="离职"):
            User.objects.filter(pk=first.pk).update(is_staff=False)
        User.objects.filter(pk=second.pk).update(is_active=False)

    assert [(e.actor_id, e.reason) for e in audit.history(first)[1:]] == [(actor.pk, ""), (actor.pk, "离职")]
    assert [(e.actor_id, e.reason) for e in audit.history(second)[1:]] == [(actor.pk, "协助审核"), (None, "")]
    assert [(e.actor_id, e.reason) for e in audit.history(third)[1:]] == [(actor.pk, "")]


@pytest.mark.django_db
def test_a_task_run_inline_names_itself_and_the_callers_context_holds_again_afterwards():
    actor = StaffFactory(username="zhuguan")
    member, other = UserFactory(), UserFactory()

    with audit.audit_context(actor=actor, reason="清理测试账号"):
        audit_tasks.deactivate_account.apply(kwargs={"user_id": member.pk}, task_id="inline-1")
        User.objects.filter(pk=other.pk).update(is_active=False)

    by_task = audit.history(member)[-1]
    assert (by_task.task, by_task.context["task_id"], by_task.actor_id, by_task.reason) == (
        "tests.core.audit_tasks.deactivate_account", "inline-1", actor.pk, "清理测试账号")
    after = audit.history(other)[-1]
    assert (after.task, after.actor_id, after.reason) == ("", actor.pk, "清理测试账号")


def test_a_change_made_by_a_task_in_a_real_worker_names_the_task(workers):
    user = UserFactory(username="qianli")
    worker = workers("audit", pool="solo", concurrency=1, include=("tests.core.audit_tasks",))

    sent = audit_tasks.deactivate_account.delay(user_id=user.pk)

    worker.wait_for(lambda: len(audit.history(user)) == 2, timeout=30, what="the worker's change")
    entry = audit.history(user)[1]
    assert (entry.label, changes(entry), entry.actor_id) == ("updated", [("is_active", True, False)], None)
    assert entry.context == {"task": "tests.core.audit_tasks.deactivate_account", "task_id": sent.id}
    assert entry.who == zh("background job %(task)s", task="tests.core.audit_tasks.deactivate_account")


# --- the whole trail in admin ---------------------------------------------------------------------

@pytest.fixture
def trail(db, client):
    """A reviewer's rejection (via the admin action), an event manager's cancellation (via hers),
    an agent's assignment (a domain function), a bare update, and an export of an earlier event
    ten days ago."""
    reviewer = StaffFactory(username="shenhe", groups=[REVIEWER_GROUP])
    manager = StaffFactory(username="huodong", groups=[EVENT_MANAGER_GROUP])
    agent = StaffFactory(username="kefu", groups=["管家客服"])
    profile = MemberProfileFactory(real_name="林晓雯", status=Status.PENDING)
    event = EventFactory(title="产业资源对接沙龙")
    earlier = EventFactory(title="往期沙龙")
    member = MemberProfileFactory(real_name="周雨桐").user
    ticket = inbox.ticket_submit(member=member, category="finance", subject="贷款贴息", description="想了解。",
                                 preferred_contact="site")
    # Ten days before the rest of the trail, which the database's clock stamps.
    with time_machine.travel(database_now() - timedelta(days=10)):
        audit.record_access(earlier, actor=manager, what="attendee list", format="csv")

    client.force_login(reviewer)
    assert client.post("/admin/members/memberprofile/", {
        "action": "reject", "_selected_action": [profile.pk], "reason": REASON}).status_code == 302
    client.force_login(manager)
    assert client.post("/admin/events/event/", {
        "action": "cancel_events", "_selected_action": [event.pk]}).status_code == 302
    client.logout()
    inbox.ticket_assign(ticket=ticket, assignee=agent, actor=agent)
    User.objects.filter(pk=member.pk).update(is_active=False)
    return {"reviewer": reviewer, "manager": manager, "agent": agent, "profile": profile, "event": event,
            "earlier": earlier, "ticket": ticket, "member": member}


def rows(response) -> list[tuple[str, str, object, int | None]]:
    """(kind, what happened, which record, by whom) of each row shown, newest first."""
    assert response.status_code == 200
    return [(e.entry.model._meta.model_name, e.pgh_label, e.entry.object_id, e.entry.actor_id)
            for e in response.context["cl"].result_list]


def test_the_whole_trail_is_listed_newest_first_and_filtered(admin_user, client, trail):
    t = trail
    client.force_login(admin_user)
    everything = rows(client.get(TRAIL))

    rejection = ("memberprofile", "rejected", t["profile"].pk, t["reviewer"].pk)
    cancellation = ("event", "cancelled", t["event"].pk, t["manager"].pk)
    assignment = ("ticket", "accepted", t["ticket"].pk, t["agent"].pk)
    deactivation = ("user", "updated", t["member"].pk, None)
    export = ("event", "exported", t["earlier"].pk, t["manager"].pk)
    assert everything[:4] == [deactivation, assignment, cancellation, rejection]
    assert everything[-1] == export
    assert len(everything) == len(set(everything))

    assert rows(client.get(TRAIL, {"kind": "members.memberprofile"})) == [
        rejection, ("memberprofile", "created", t["member"].profile.pk, None),
        ("memberprofile", "created", t["profile"].pk, None)]
    assert rows(client.get(TRAIL, {"label": "cancelled"})) == [cancellation]
    assert rows(client.get(TRAIL, {"actor": t["manager"].pk})) == [cancellation, export]
    assert [r for r in rows(client.get(TRAIL, {"actor": "none"})) if r[3] is not None] == []
    assert deactivation in rows(client.get(TRAIL, {"actor": "none"}))
    # The "Today" link, for the day the database's clock stamped the rest of the trail.
    midnight = timezone.localtime(database_now()).replace(hour=0, minute=0, second=0, microsecond=0)
    recent = rows(client.get(TRAIL, {"pgh_created_at__gte": str(midnight),
                                     "pgh_created_at__lt": str(midnight + timedelta(days=1))}))
    assert export not in recent and rejection in recent
    day = timezone.localdate(database_now() - timedelta(days=10))
    assert rows(client.get(TRAIL, {"pgh_created_at__day": day.day, "pgh_created_at__month": day.month,
                                   "pgh_created_at__year": day.year})) == [export]
    assert rows(client.get(TRAIL, {"q": "加盖公章"})) == [rejection]
    assert rows(client.get(TRAIL, {"q": "shenhe"})) == [rejection]


def test_a_row_reads_when_who_what_old_and_new_and_why(admin_user, client, trail):
    client.force_login(admin_user)
    html = client.get(TRAIL, {"label": "rejected"}).content.decode()

    def cell(column):
        return squash(re.search(rf'<td class="field-{column}">(.*?)</td>', html, re.S).group(1))

    profile = MemberProfile.objects.get(pk=trail["profile"].pk)
    assert cell("who") == str(trail["reviewer"])
    assert cell("kind") == zh("member profile")
    assert cell("item") == "林晓雯"
    assert cell("what") == zh("Status: %(status)s", status=zh("Not approved"))
    assert cell("changes") == " ".join([
        f'{zh("status")}: {zh("Awaiting approval")} → {zh("Not approved")}',
        f'{zh("reviewed at")}: — → {timezone.localtime(profile.reviewed_at):%Y-%m-%d %H:%M}',
        f'{zh("reviewed by")}: — → {trail["reviewer"]}',
        f'{zh("reason for not approving")}: — → {REASON}',
    ])
    assert cell("why") == REASON


def test_the_trail_needs_its_own_permission(client, trail, staff_in_group):
    manager = trail["manager"]  # may run events, not browse the trail
    client.force_login(manager)

    assert client.get(TRAIL).status_code == 403
    assert TRAIL not in client.get("/admin/").content.decode()


def test_with_the_permission_staff_read_only_rows_of_models_they_may_see(client, trail):
    reviewer = trail["reviewer"]
    reviewer.user_permissions.add(browse_permission())
    client.force_login(reviewer)

    shown = rows(client.get(TRAIL))

    assert {kind for kind, *_ in shown} == {"memberprofile"}
    assert rows(client.get(TRAIL, {"kind": "events.event"})) == []
    assert rows(client.get(TRAIL, {"kind": "services.ticket"})) == []
    assert TRAIL in client.get("/admin/").content.decode()


def test_a_member_of_staff_with_no_model_rights_sees_an_empty_trail(client, trail, clerk):
    clerk.user_permissions.add(browse_permission())
    client.force_login(clerk)

    assert rows(client.get(TRAIL)) == []


def test_an_objects_history_keeps_every_status_it_went_through(trail):
    event = trail["event"]
    Event.objects.filter(pk=event.pk).update(status=EventStatus.PUBLISHED)
    event_changes.event_cancel(event=Event.objects.get(pk=event.pk))

    assert [(e.label, e.actor_id, changes(e)) for e in audit.history(event)] == [
        ("created", None, []),
        ("cancelled", trail["manager"].pk, [("status", "published", "cancelled")]),
        ("published", None, [("status", "cancelled", "published")]),
        ("cancelled", None, [("status", "published", "cancelled")]),
    ]


# --- a page of the trail at volume ----------------------------------------------------------------

def _registrations(n: int) -> None:
    """``n`` sign-ups, each a registration (and its event) whose row names its event and member."""
    for _ in range(n):
        RegistrationFactory(event=EventFactory(), user=MemberProfileFactory().user)


def test_the_trail_is_paged_in_the_same_order_as_the_whole_trail(admin_user, client, trail):
    _registrations(30)
    client.force_login(admin_user)
    everything = audit.AuditEvent.objects.across(*audit.visible_event_models(admin_user)).order_by(
        "-pgh_created_at", "-pgh_slug")
    expected = [(e.pgh_model, e.pgh_id, e.pgh_label, e.pgh_diff) for e in everything]

    shown = []
    for page in range(1, len(expected) // 50 + 2):
        response = client.get(TRAIL, {"p": page})
        assert response.status_code == 200
        shown += [(e.pgh_model, e.pgh_id, e.pgh_label, e.pgh_diff) for e in response.context["cl"].result_list]

    assert len(expected) > 100
    assert shown == expected


def _as_stored(events) -> list[tuple]:
    return [(e.pgh_slug, e.pgh_model, e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_data, e.pgh_obj_model,
             e.pgh_obj_id, e.pgh_context_id, e.pgh_context, e.user_id, e.reason, e.url) for e in events]


def test_the_listing_holds_each_event_as_pghistory_does_but_its_changes(admin_user, trail):
    tables = audit.visible_event_models(admin_user)
    order = ["-pgh_created_at", "-pgh_slug"]
    whole = audit.AuditEvent.objects.across(*tables).order_by(*order)

    assert _as_stored(audit.listed(tables).order_by(*order)) == _as_stored(whole)
    assert {e.pgh_diff for e in audit.listed(tables)} == {None}
    assert list(audit.listed([])) == []


def test_a_label_is_read_only_from_the_tables_whose_events_may_carry_it(admin_user, trail):
    tables = audit.visible_event_models(admin_user)
    rejected = audit.labelled(audit.listed(tables), "rejected")

    assert Event.pgh_event_model not in rejected.query.across  # an event is never "rejected"
    assert MemberProfile.pgh_event_model in rejected.query.across
    assert _as_stored(rejected) == _as_stored(audit.AuditEvent.objects.across(*tables).filter(pgh_label="rejected"))
    assert len(rejected) == 1
    assert list(audit.labelled(audit.listed([Event.pgh_event_model]), "rejected")) == []


def _named_queries(n: int) -> int:
    """Queries to resolve the newest ``n`` registrations' events and name each registration
    (its str() names its event and its member)."""
    events = list(audit.AuditEvent.objects.across(Registration.pgh_event_model).order_by("-pgh_id")[:n])
    with CaptureQueriesContext(connection) as queries:
        named = [str(entry.obj) for entry in audit.entries(events)]
    assert len(named) == n and all(" · " in name for name in named)
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_the_rows_of_a_page_are_named_in_as_many_queries_for_5_sign_ups_as_for_30():
    _registrations(30)

    assert _named_queries(5) == _named_queries(30)
