"""Times read from PostgreSQL (xiangcheng/core/timestamps_read.py): every connection reads them
with the C parser, to the same aware UTC value Django's own loader gives, and what that parser
cannot read still goes to Django's."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from xiangcheng.core.timestamps_read import UtcTimestampLoader

pytestmark = pytest.mark.django_db
TIMESTAMPTZ = 1184

MOMENTS = [
    datetime(2026, 12, 6, 23, 58, 2, 123456, tzinfo=UTC),
    datetime(2026, 12, 6, 16, 0, tzinfo=UTC),  # midnight in Asia/Shanghai
    datetime(2024, 2, 29, 12, 30, 0, 1, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 12, 7, 8, 0, tzinfo=timezone(timedelta(hours=8))),  # written with another zone
]


def read(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_every_connection_reads_times_with_the_c_parser():
    connection.ensure_connection()

    assert connection.connection.adapters.get_loader(TIMESTAMPTZ, Format.TEXT) is UtcTimestampLoader


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_a_time_reads_back_as_the_same_moment_in_utc_as_djangos_loader_reads_it(moment):
    ours = read("SELECT %s::timestamptz", [moment])
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor)  # Django's own, on this cursor alone
        cursor.execute("SELECT %s::timestamptz", [moment])
        djangos = cursor.fetchone()[0]

    assert ours == moment == djangos
    assert ours.tzinfo is UTC and djangos.tzinfo is UTC
    assert ours.isoformat() == djangos.isoformat()


@pytest.mark.parametrize("text", ["infinity", "0044-03-15 12:00:00+00 BC", "10000-01-01 00:00:00+00"])
def test_what_the_c_parser_cannot_read_goes_to_djangos_loader(text):
    with pytest.raises(DataError):
        read("SELECT %s::timestamptz", [text])
