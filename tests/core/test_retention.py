"""The retention job: the registry every app adds its purges to, the outbox's own purge, the
audit context each purge runs in, the log line each writes, and the nightly beat entry."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from tests.factories import UserFactory
from xiangcheng.core import retention
from xiangcheng.core.models import Notice
from xiangcheng.core.retention import RetentionError, notices_purge, retention_purges, retention_run

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MINUTE = timedelta(minutes=1)


def notice(key: str, state: str, written: datetime, recipient) -> Notice:
    row = Notice.objects.create(recipient=recipient, kind="test.kind", key=key, state=state)
    Notice.objects.filter(pk=row.pk).update(created_at=written)
    return row


def test_every_app_registers_its_purge_and_the_settings_hold_each_period(settings):
    assert [(p.key, p.period) for p in retention_purges()] == [
        ("notices", "notices_days"),
        ("unverified_accounts", "unverified_accounts_days"),
        ("declined_job_applications", "declined_job_applications_days"),
        ("closed_call_applications", "closed_call_applications_days"),
        ("data_exports", "data_exports_days"),
    ]
    assert settings.RETENTION == {"notices_days": 180, "unverified_accounts_days": 30,
                                  "declined_job_applications_days": 180, "closed_call_applications_days": 365,
                                  "data_exports_days": 7}


def test_finished_notices_older_than_the_period_go_and_the_rest_stay(settings):
    settings.RETENTION = {**settings.RETENTION, "notices_days": 180}
    her = UserFactory()
    edge = NOW - timedelta(days=180)
    gone = [notice("sent-old", Notice.State.SENT, edge - MINUTE, her),
            notice("failed-old", Notice.State.FAILED, edge - MINUTE, her),
            notice("skipped-old", Notice.State.SKIPPED, edge - MINUTE, her)]
    kept = [notice("sent-inside", Notice.State.SENT, edge + MINUTE, her),
            notice("pending-old", Notice.State.PENDING, edge - timedelta(days=400), her)]

    with time_machine.travel(NOW, tick=False):
        assert notices_purge(before=edge) == 3

    assert sorted(Notice.objects.values_list("key", flat=True)) == sorted(n.key for n in kept)
    assert not Notice.objects.filter(pk__in=[n.pk for n in gone]).exists()


def test_the_purge_deletes_in_batches_until_nothing_is_left(settings):
    her = UserFactory()
    for i in range(7):
        notice(f"n{i}", Notice.State.SENT, NOW - timedelta(days=300), her)
    assert retention.rows_delete(queryset=Notice.objects.filter(state=Notice.State.SENT), batch=3) == 7
    assert Notice.objects.count() == 0


def test_the_run_purges_with_each_period_and_logs_how_many_rows_each_removed(settings, caplog):
    settings.RETENTION = {**settings.RETENTION, "notices_days": 10}
    her = UserFactory()
    notice("old", Notice.State.SENT, NOW - timedelta(days=10) - MINUTE, her)
    notice("new", Notice.State.SENT, NOW - timedelta(days=10) + MINUTE, her)

    with time_machine.travel(NOW, tick=False), caplog.at_level(logging.INFO, logger="xiangcheng.core.retention"):
        removed = retention_run()

    assert removed == {"notices": 1, "unverified_accounts": 0, "declined_job_applications": 0,
                       "closed_call_applications": 0, "data_exports": 0}
    assert list(Notice.objects.values_list("key", flat=True)) == ["new"]
    assert [r.getMessage() for r in caplog.records if r.name == "xiangcheng.core.retention"] == [
        "Retention notices: 1 rows older than 10 days removed",
        "Retention unverified_accounts: 0 rows older than 30 days removed",
        "Retention declined_job_applications: 0 rows older than 180 days removed",
        "Retention closed_call_applications: 0 rows older than 365 days removed",
        "Retention data_exports: 0 rows older than 7 days removed",
    ]


def test_a_failing_purge_is_logged_the_others_still_run_and_the_run_fails(settings, monkeypatch, caplog):
    monkeypatch.setitem(retention._purges, "broken", retention.Purge(
        key="broken", period="notices_days", purge="tests.core.test_retention.broken_purge", label="broken", order=1))
    her = UserFactory()
    notice("old", Notice.State.SENT, NOW - timedelta(days=400), her)

    with time_machine.travel(NOW, tick=False), pytest.raises(RetentionError) as failed:
        retention_run()

    assert str(failed.value) == "Retention purges failed: broken"
    assert Notice.objects.count() == 0  # the notices' purge ran after the broken one
    assert [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.ERROR] == [
        ("ERROR", "Retention broken failed")]


def broken_purge(*, before: datetime) -> int:
    raise RuntimeError("disk on fire")


def test_a_period_missing_from_the_settings_is_a_configuration_error(settings):
    settings.RETENTION = {key: value for key, value in settings.RETENTION.items() if key != "notices_days"}
    with pytest.raises(ImproperlyConfigured) as missing:
        retention_run()
    assert str(missing.value) == "RETENTION has no 'notices_days': add it to the settings."


def test_the_job_is_on_the_beat_schedule_each_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retention"]
    assert entry["task"] == "xiangcheng.core.tasks.run_retention"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {10})


def test_the_task_runs_the_job(settings):
    from xiangcheng.core.tasks import run_retention

    her = UserFactory()
    notice("old", Notice.State.SENT, NOW - timedelta(days=400), her)
    with time_machine.travel(NOW, tick=False):
        assert run_retention.delay().get()["notices"] == 1
    assert Notice.objects.count() == 0
