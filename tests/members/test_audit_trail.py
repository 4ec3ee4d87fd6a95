"""Membership decisions and account flags in the audit trail: the reviewer and the reason of every
decision, staff flags changed in admin, each record's history on its admin page, and the past
decisions brought in by the data migration."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from members.membership import profile_apply, profiles_approve, profiles_reject
from members.models import MemberProfile, Status
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.helpers import audit_history, database_now, zh
from tests.services.helpers import form_values
from xiangcheng.core import audit

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/members/memberprofile/"
REASON = "请上传单位在职证明。"
backfill = importlib.import_module("members.migrations.0008_audit_trail_backfill")
BEFORE_RETIREMENT = ("members", "0009_phone_unique_only_when_verified")
LATEST = ("members", "0010_retire_review_decisions")


def decisions(profile) -> list[tuple[str, int, str]]:
    return [(e.label, e.actor_id, e.reason) for e in audit.history(profile) if e.label in {"approved", "rejected"}]


def test_a_rejection_from_admin_is_recorded_as_the_reviewers_with_her_reason(client, reviewer, pending_profile):
    client.force_login(reviewer)

    response = client.post(CHANGELIST, {"action": "reject", "_selected_action": [pending_profile.pk],
                                        "reason": REASON})

    assert response.status_code == 302
    last = audit.history(pending_profile)[-1]
    assert (last.label, last.actor, last.reason, last.url) == ("rejected", reviewer, REASON, CHANGELIST)


def test_every_decision_is_in_the_trail_with_its_reviewer_and_reason(reviewer):
    other_reviewer = StaffFactory(username="reviewer2", groups=["审核员"])
    profile = MemberProfileFactory(status=Status.PENDING)

    profiles_reject(profile_ids=[profile.pk], reviewer=reviewer, reason=REASON)
    profile_apply(profile=MemberProfile.objects.get(pk=profile.pk))
    profiles_approve(profile_ids=[profile.pk], reviewer=other_reviewer)

    assert decisions(profile) == [("rejected", reviewer.pk, REASON), ("approved", other_reviewer.pk, "")]
    assert [e.label for e in audit.history(profile)] == ["created", "rejected", "pending", "approved"]
    reapplied = audit.history(profile)[2]
    assert [(c.name, c.old, c.new) for c in reapplied.changes][0] == ("status", "rejected", "pending")


def test_the_profile_page_shows_its_own_history_only(client, reviewer):
    lin = MemberProfileFactory(status=Status.PENDING, real_name="林晓雯")
    zhou = MemberProfileFactory(status=Status.PENDING, real_name="周雨桐")
    profiles_reject(profile_ids=[lin.pk], reviewer=reviewer, reason=REASON)
    profiles_approve(profile_ids=[zhou.pk], reviewer=reviewer)
    client.force_login(reviewer)

    rows = audit_history(client.get(f"{CHANGELIST}{lin.pk}/change/"))

    assert [row[1:3] + row[4:] for row in rows] == [
        [zh("no one signed in"), zh("Created"), ""],
        [str(reviewer), zh("Status: %(status)s", status=zh("Not approved")), REASON],
    ]
    assert rows[1][3].startswith(f'{zh("status")}: {zh("Awaiting approval")} → {zh("Not approved")}')


def test_making_someone_staff_in_the_account_admin_is_recorded_as_the_admins(client, admin_user):
    user = UserFactory(username="wangfang")
    client.force_login(admin_user)
    url = f"/admin/members/user/{user.pk}/change/"
    values = form_values(client.get(url).content.decode(), "user_form")
    values["is_staff"] = ["on"]
    values["_save"] = ["save"]

    assert client.post(url, values).status_code == 302

    last = audit.history(user)[-1]
    assert (last.label, last.actor, [(c.name, c.old, c.new) for c in last.changes]) == (
        "updated", admin_user, [("is_staff", False, True)])
    assert audit_history(client.get(url))[-1][1:4] == [
        str(admin_user), zh("Changed"), f'{zh("staff status")}: {zh("No")} → {zh("Yes")}']


def test_a_reviewer_cannot_open_account_pages_or_their_history(client, reviewer):
    client.force_login(reviewer)
    assert client.get(f"/admin/members/user/{UserFactory().pk}/change/").status_code == 403


# --- the data migration -------------------------------------------------------------------------

def test_past_decisions_enter_the_trail_at_their_time_by_their_reviewer(reviewer):
    old_apps = before_decisions_retired()
    decided = profile_decided_in_the_past(old_apps, reviewer)
    untouched = MemberProfileFactory(status=Status.PENDING)

    backfill.decisions_into_audit_trail(old_apps, None)
    MigrationExecutor(connection).migrate([LATEST])  # the model goes

    imported = [e for e in audit.history(decided["profile"]) if e.context.get("imported")]
    assert [(e.label, e.actor_id, e.reason, e.at) for e in imported] == [
        ("rejected", reviewer.pk, REASON, decided["rejected_at"]),
        ("approved", reviewer.pk, "", decided["approved_at"]),
    ]
    assert [(c.name, c.old, c.new) for c in imported[1].changes][0] == ("status", "rejected", "approved")
    # Its last decision is its state now, so no baseline; the other profile gets one.
    assert [e.label for e in audit.history(decided["profile"])] == ["rejected", "approved", "created", "approved"]
    baseline = audit.history(untouched)[-1]
    assert (baseline.label, baseline.data["status"], baseline.actor_id) == (audit.BASELINE, "pending", None)


def test_every_account_gets_a_baseline_with_its_flags():
    staff, member = StaffFactory(username="zhuguan"), UserFactory(is_active=False)

    backfill.accounts_into_audit_trail(apps, None)

    assert [(e.label, e.data["is_staff"], e.data["is_active"]) for e in audit.history(staff)] == [
        ("created", True, True), (audit.BASELINE, True, True)]
    assert [(e.label, e.data["is_staff"], e.data["is_active"]) for e in audit.history(member)] == [
        ("created", False, False), (audit.BASELINE, False, False)]


def before_decisions_retired():
    """The database as it was before ReviewDecision was retired (its table back, empty), in this
    test's transaction; returns that state's models."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_RETIREMENT])
    return executor.loader.project_state(BEFORE_RETIREMENT).apps


def profile_decided_in_the_past(old_apps, reviewer) -> dict:
    """A profile rejected ten days ago and approved five days ago, as ReviewDecision rows only
    (the way decisions were kept before the audit trail)."""
    ReviewDecision = old_apps.get_model("members", "ReviewDecision")
    profile = MemberProfileFactory(status=Status.PENDING)
    # Days before the profile's own events, which the database's clock stamps.
    rejected_at = database_now() - timedelta(days=10)
    approved_at = database_now() - timedelta(days=5)
    with time_machine.travel(rejected_at, tick=False):
        ReviewDecision.objects.create(profile_id=profile.pk, decision="rejected", reason=REASON,
                                      reviewer_id=reviewer.pk)
    with time_machine.travel(approved_at, tick=False):
        ReviewDecision.objects.create(profile_id=profile.pk, decision="approved", reviewer_id=reviewer.pk)
    MemberProfile.objects.filter(pk=profile.pk).update(status=Status.APPROVED, reviewed_by=reviewer,
                                                       reviewed_at=approved_at)
    return {"profile": profile, "rejected_at": rejected_at, "approved_at": approved_at}
