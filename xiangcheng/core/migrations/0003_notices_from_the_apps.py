"""Every message the three old outboxes held moves into the one outbox, unsent ones included.

events.Notification, services.Notice and the outbox part of members.ReviewDecision become
core.Notice rows with the same keys (so a reminder or a decision already sent is not sent
again), their state, attempts and delivered channels. Rows still unsent stay pending and the
outbox's retry job delivers them. Texts the inbox had already composed are kept; event and
decision messages were composed at sending and keep the event's title (or nothing) as subject.
"""

from django.db import migrations

BATCH = 2000


def _state(row) -> str:
    if row.sent_at is None:
        return "failed" if row.attempts >= 5 else "pending"
    return "skipped" if row.skipped else "sent"


def _common(row) -> dict:
    return {"state": _state(row), "claimed_at": None, "sent_at": row.sent_at, "attempts": row.attempts,
            "last_error": row.last_error, "channels_sent": list(row.channels_sent)}


def _insert(Notice, rows: list) -> None:
    """Insert (notice, original time) pairs; created_at is stamped on insert, then set back."""
    created = Notice.objects.bulk_create([notice for notice, _ in rows], batch_size=BATCH)
    for notice, (_, created_at) in zip(created, rows, strict=True):
        notice.created_at = created_at
    Notice.objects.bulk_update(created, ["created_at"], batch_size=BATCH)


def _inbox_kind(key: str) -> tuple[str, str, dict, int | None]:
    """services.Notice keys (ticket:<ticket>:<kind>:<recipient>:<unique>, digest:<kind>:<user>:<date>)
    as the new kind, key, data and ticket, keyed the way services.notices keys them now."""
    parts = key.split(":")
    if parts[0] == "digest":
        return "inbox.digest", f"inbox.digest:{parts[1]}:{parts[2]}:{parts[3]}", {
            "audience": parts[1], "date": parts[3]}, None
    kind, ticket, recipient, unique = f"inbox.{parts[2]}", parts[1], parts[3], parts[4]
    if unique.isdecimal():
        return kind, f"{kind}:{ticket}:{recipient}:m{unique}", {"message": int(unique)}, int(ticket)
    return kind, f"{kind}:{ticket}:{recipient}:{unique}", {}, int(ticket)


def forwards(apps, schema_editor):
    Notice = apps.get_model("core", "Notice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Notification = apps.get_model("events", "Notification")
    InboxNotice = apps.get_model("services", "Notice")
    ReviewDecision = apps.get_model("members", "ReviewDecision")

    def content_type(app_label, model):
        return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]

    rows = []
    registration_type = content_type("events", "registration")
    for n in Notification.objects.select_related("registration__event").iterator(chunk_size=BATCH):
        rows.append((Notice(
            recipient_id=n.registration.user_id, kind=f"events.{n.kind}",
            key=f"events.{n.kind}:{n.registration_id}:{n.key}", target_type=registration_type,
            target_id=n.registration_id, data={}, subject=n.registration.event.title[:200],
            url=f"/events/{n.registration.event_id}/", **_common(n)), n.created_at))
    ticket_type = content_type("services", "ticket")
    for n in InboxNotice.objects.iterator(chunk_size=BATCH):
        kind, key, data, ticket_id = _inbox_kind(n.key)
        rows.append((Notice(
            recipient_id=n.recipient_id, kind=kind, key=key, staff_only=kind == "inbox.digest",
            target_type=ticket_type if ticket_id else None, target_id=ticket_id, data=data,
            subject=n.subject, body=n.body, **_common(n)), n.created_at))
    profile_type = content_type("members", "memberprofile")
    for d in ReviewDecision.objects.select_related("profile").iterator(chunk_size=BATCH):
        rows.append((Notice(
            recipient_id=d.profile.user_id, kind="members.decision", key=f"members.decision:{d.pk}",
            target_type=profile_type, target_id=d.profile_id, data={"decision": d.decision, "reason": d.reason},
            url="/members/profile/", **_common(d)), d.created_at))
    _insert(Notice, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_notice"),
        ("events", "0007_programme_moves_to_the_kernel"),
        ("services", "0004_outbox_channels_sent"),
        ("members", "0004_outbox_channels_sent"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
