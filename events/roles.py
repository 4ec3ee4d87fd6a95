"""What event work the staff roles may do (the kernel's roles registry)."""

from xiangcheng.core.roles import ADMINISTRATOR, EVENT_MANAGER, grant

# Event managers run events, sign-ups and check-in; they read the programmes, not edit them, and
# read (and retry) the event notices in the outbox.
grant(EVENT_MANAGER, "core", ["view_programme", "view_notice", "change_notice"])
grant(EVENT_MANAGER, "events", [
    "view_venue", "add_venue", "change_venue",
    "view_event", "add_event", "change_event",
    "view_registration", "change_registration", "checkin_registration",
])
# The administrator reads events, venues and registrations.
grant(ADMINISTRATOR, "events", ["view_venue", "view_event", "view_registration"])
