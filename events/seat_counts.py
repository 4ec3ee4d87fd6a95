"""The seats and childcare places each event has confirmed, counted by the database itself.

Statement-level triggers on registrations keep one ``EventSeats`` row per event true whatever
writes them — a sign-up, a cancellation, staff in admin, a bulk COPY — from the confirmed rows
each statement added or removed, so no code path can forget to count and nothing has to count a
million rows to show "3 seats left". A statement that changes no confirmed seat (a waitlisted
sign-up, a check-in) touches no counter row and so takes no lock on it; that is what lets a rush
of sign-ups run side by side, with only the ones that win a seat taking turns
(``events.booking``).
"""

import pgtrigger

SEATS_TABLE = "events_eventseats"

# One changed row's share of the counts: +1 seat (and its children) for a confirmed row a
# statement wrote, -1 for one it replaced or removed.
_DELTA = """
    WITH change AS ({rows}),
    delta AS (
        SELECT event_id, sum(seats) AS seats, sum(children) AS children
        FROM change GROUP BY event_id
    )
    UPDATE {seats} AS s
    SET confirmed = s.confirmed + delta.seats, children = s.children + delta.children
    FROM delta
    WHERE s.event_id = delta.event_id AND (delta.seats <> 0 OR delta.children <> 0);
    RETURN NULL;
"""
_ADDED = "SELECT event_id, 1 AS seats, children_count AS children FROM new_rows WHERE status = '{confirmed}'"
_REMOVED = "SELECT event_id, -1 AS seats, -children_count AS children FROM old_rows WHERE status = '{confirmed}'"


def _counting(name: str, operation, rows: str, referencing) -> pgtrigger.Trigger:
    return pgtrigger.Trigger(
        name=name, level=pgtrigger.Statement, when=pgtrigger.After, operation=operation,
        referencing=referencing, func=_DELTA.format(rows=rows, seats=SEATS_TABLE),
    )


def registration_triggers(*, confirmed: str) -> list[pgtrigger.Trigger]:
    """The counting triggers of the registrations table; ``confirmed`` is the status of a seat."""
    added, removed = _ADDED.format(confirmed=confirmed), _REMOVED.format(confirmed=confirmed)
    return [
        _counting("count_seats_insert", pgtrigger.Insert, added, pgtrigger.Referencing(new="new_rows")),
        _counting("count_seats_update", pgtrigger.Update, f"{added} UNION ALL {removed}",
                  pgtrigger.Referencing(old="old_rows", new="new_rows")),
        _counting("count_seats_delete", pgtrigger.Delete, removed, pgtrigger.Referencing(old="old_rows")),
    ]

# Every event has its counter row from the moment it exists.
EVENT_TRIGGERS = [
    pgtrigger.Trigger(
        name="seats_row", level=pgtrigger.Statement, when=pgtrigger.After, operation=pgtrigger.Insert,
        referencing=pgtrigger.Referencing(new="new_rows"),
        func="INSERT INTO events_eventseats (event_id, confirmed, children) "
             "SELECT id, 0, 0 FROM new_rows; RETURN NULL;",
    ),
]
