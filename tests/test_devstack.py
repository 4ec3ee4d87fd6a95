"""`make test` spreads the suite over the cores unless its arguments say how."""

import pytest
import redis
from django.conf import settings
from django.db import connection

from xiangcheng import devstack


def test_the_suite_runs_in_one_process_per_core_up_to_four_each_file_whole(monkeypatch):
    monkeypatch.setattr(devstack.os, "cpu_count", lambda: 2)
    assert devstack.parallel(["-q", "tests/events"]) == ["-n", "2", "--dist", "loadfile", "-q", "tests/events"]
    monkeypatch.setattr(devstack.os, "cpu_count", lambda: 32)
    assert devstack.parallel([]) == ["-n", "4", "--dist", "loadfile"]


@pytest.mark.parametrize("said", [["-n", "0"], ["-n0"], ["--numprocesses", "3"], ["--numprocesses=3"],
                                  ["-p", "no:xdist"]])
def test_arguments_that_say_how_many_processes_are_passed_as_they_are(said):
    assert devstack.parallel([*said, "-k", "directory"]) == [*said, "-k", "directory"]


def test_each_process_has_its_own_redis_database_as_it_has_its_own_test_database(db, worker_id):
    redis_db = 1 if worker_id == "master" else 1 + int(worker_id[2:])
    # Read as the cache's client reads it, whether the server is named by a socket or a host.
    cache_db = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).connection_pool.connection_kwargs["db"]
    assert (settings.TEST_REDIS_DB, cache_db) == (redis_db, redis_db)
    assert connection.settings_dict["NAME"] == (
        "test_xiangcheng" if worker_id == "master" else f"test_xiangcheng_{worker_id}")
