"""The ticket history (TicketChange rows) moves into the audit trail, so nothing is lost when the
model goes (next migration).

For each ticket its recorded steps are replayed in order from the ticket as submitted (new,
normal priority, unassigned, unrated): the submission is its ``created`` event, every status, assignee, priority or rating step an event holding the ticket as it was after
that step, at the step's time and by its actor. Replies, internal notes and member replies are the
``created`` events of their messages (the messages are all still there). Fields the old history
did not record keep their present values. If the replay does not end at the ticket as it is now
(a change made outside the inbox), a ``baseline`` event with its present state follows.
"""

from django.db import migrations
from django.utils import timezone

from xiangcheng.core.audit import BASELINE, CREATED, UPDATED

IMPORTED = "services.TicketChange"
STATUS_STEPS = {"status", "closed", "reopened"}


def _fields(model, tracked_model):
    names = {f.attname for f in tracked_model._meta.concrete_fields}
    return [f.attname for f in model._meta.concrete_fields if not f.name.startswith("pgh_") and f.attname in names]


def history_into_audit_trail(apps, schema_editor):
    Ticket = apps.get_model("services", "Ticket")
    TicketChange = apps.get_model("services", "TicketChange")
    TicketMessage = apps.get_model("services", "TicketMessage")
    TicketAudit = apps.get_model("services", "TicketAudit")
    MessageAudit = apps.get_model("services", "TicketMessageAudit")
    User = apps.get_model("members", "User")
    # The old history stored an assignee as her account's display text: email, else phone, else username.
    account = {}
    for user in User.objects.order_by("-pk"):
        account[user.username] = user.pk
        if user.phone:
            account[user.phone] = user.pk
        if user.email:
            account[user.email] = user.pk

    stamps = [TicketAudit._meta.get_field("pgh_created_at"), MessageAudit._meta.get_field("pgh_created_at")]
    for stamp in stamps:
        stamp.auto_now_add = False  # each event keeps the time of its step
    try:
        now = timezone.now()
        ticket_fields = _fields(TicketAudit, Ticket)
        priority_default = Ticket._meta.get_field("priority").default
        for ticket in Ticket.objects.order_by("pk").iterator(chunk_size=200):
            current = {name: getattr(ticket, name) for name in ticket_fields}
            steps = list(TicketChange.objects.filter(ticket_id=ticket.pk).order_by("created_at", "pk"))
            # As submitted: new, normal priority, nobody assigned, no rating.
            state = {**current, "status": "new", "priority": priority_default, "assignee_id": None, "rating": None}

            def write(label, at, actor_id):
                TicketAudit.objects.create(pgh_obj_id=ticket.pk, pgh_label=label, pgh_created_at=at,
                                           pgh_context={"user": actor_id, "imported": IMPORTED}, **state)

            if not any(step.action == "submitted" for step in steps):
                write(CREATED, ticket.created_at, ticket.member_id)
            for step in steps:
                label = UPDATED
                if step.action == "submitted":
                    label = CREATED
                elif step.action == "assigned":
                    state["assignee_id"] = account.get(step.new_value)
                elif step.action == "priority":
                    state["priority"] = step.new_value
                elif step.action == "rated":
                    state["rating"] = int(step.new_value)
                elif step.action in STATUS_STEPS:
                    label = step.new_value if step.old_value != step.new_value else UPDATED
                    state["status"] = step.new_value
                    if step.action == "reopened":
                        state["rating"] = None  # reopening clears the rating
                else:
                    continue  # replies and notes: their messages' events below
                write(label, step.created_at, step.actor_id)
            if state != current:
                state = current
                TicketAudit.objects.create(pgh_obj_id=ticket.pk, pgh_label=BASELINE, pgh_created_at=now,
                                           **current)

        message_fields = _fields(MessageAudit, TicketMessage)
        for message in TicketMessage.objects.order_by("created_at", "pk").iterator(chunk_size=500):
            MessageAudit.objects.create(
                pgh_obj_id=message.pk, pgh_label=CREATED, pgh_created_at=message.created_at,
                pgh_context={"user": message.author_id, "imported": IMPORTED},
                **{name: getattr(message, name) for name in message_fields})
    finally:
        for stamp in stamps:
            stamp.auto_now_add = True


class Migration(migrations.Migration):

    dependencies = [
        ("services", "0006_audit_trail"),
    ]

    operations = [
        migrations.RunPython(history_into_audit_trail, migrations.RunPython.noop),
    ]
