"""Existing accounts and membership decisions enter the audit trail.

Each past ReviewDecision becomes a MemberProfile audit event at its own time, by its reviewer,
with its reason, so the decision history is complete in the trail. Every account and profile also
gets a ``baseline`` event holding its state now (unless its last decision already does), so the
first change after this migration shows what it changed from.
"""

from django.db import migrations
from django.utils import timezone

from xiangcheng.core.audit import BASELINE, record_baseline

TRACKED = ["user_id", "status", "submitted_at", "reviewed_at", "reviewed_by_id", "rejection_reason"]


def decisions_into_audit_trail(apps, schema_editor):
    MemberProfile = apps.get_model("members", "MemberProfile")
    ReviewDecision = apps.get_model("members", "ReviewDecision")
    Audit = apps.get_model("members", "MemberProfileAudit")
    stamp = Audit._meta.get_field("pgh_created_at")
    stamp.auto_now_add = False  # each event keeps the time of its decision
    try:
        now = timezone.now()
        for profile in MemberProfile.objects.order_by("pk").iterator(chunk_size=500):
            current = {name: getattr(profile, name) for name in TRACKED}
            decisions = list(ReviewDecision.objects.filter(profile_id=profile.pk).order_by("decided_at", "pk"))
            state = None
            for number, decision in enumerate(decisions, start=1):
                latest = (number == len(decisions) and current["status"] == decision.decision
                          and current["reviewed_by_id"] == decision.reviewer_id)
                state = {
                    **current,
                    "status": decision.decision,
                    "reviewed_at": current["reviewed_at"] if latest else decision.decided_at,
                    "reviewed_by_id": decision.reviewer_id,
                    "rejection_reason": decision.reason if decision.decision == "rejected" else "",
                }
                context = {"user": decision.reviewer_id, "imported": "members.ReviewDecision"}
                if decision.reason:
                    context["reason"] = decision.reason
                Audit.objects.create(pgh_obj_id=profile.pk, pgh_label=decision.decision,
                                     pgh_created_at=decision.decided_at, pgh_context=context, **state)
            if state != current:
                Audit.objects.create(pgh_obj_id=profile.pk, pgh_label=BASELINE, pgh_created_at=now, **current)
    finally:
        stamp.auto_now_add = True


def accounts_into_audit_trail(apps, schema_editor):
    record_baseline(apps, "members", "User")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0007_audit_trail"),
    ]

    operations = [
        migrations.RunPython(decisions_into_audit_trail, migrations.RunPython.noop),
        migrations.RunPython(accounts_into_audit_trail, migrations.RunPython.noop),
    ]
