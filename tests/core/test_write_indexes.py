"""The indexes a sign-up and each notice keep up as they are written: each serves a read, and
none is served by another index (one leading with the same columns, or Django's pattern-matching
twin of a character field's index, which no query here uses)."""

import pytest
from django.db import connection


def indexes(table: str) -> dict[str, tuple[list[str], bool]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: (spec["columns"], spec["unique"]) for name, spec in found.items() if spec["index"] or spec["unique"]}


@pytest.mark.django_db
def test_a_notice_keeps_up_one_index_for_each_read():
    assert sorted(indexes("core_notice").values()) == sorted([
        (["id"], True),
        (["key"], True),  # once per (kind, key)
        (["kind"], False),  # staff filter by kind
        (["recipient_id"], False),  # her account's notices, when it is erased
        (["recipient_id", "created_at"], False),  # 我的消息
        # Her unread count on every signed-in page: the unread notices alone (a partial index),
        # where the one above holds every notice she ever read.
        (["recipient_id"], False),
        (["created_at"], False),  # the retry job's scan of pending notices
        (["target_type_id", "target_id"], False),  # notices about a row
        (["id"], False),  # staff's failed notices (only those rows)
    ])


@pytest.mark.django_db
def test_a_registration_keeps_up_one_index_for_each_read():
    assert sorted(indexes("events_registration").values()) == sorted([
        (["id"], True),
        (["event_id", "status"], False),  # an event's registrations, by status
        (["event_id", "user_id"], True),  # one active registration per member
        (["user_id"], False),  # 我的活动
        (["checked_in_by_id"], False),
    ])
