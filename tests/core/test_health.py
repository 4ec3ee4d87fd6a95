"""Health endpoints for the load balancer: /health/live/ (the web process answers) and
/health/ready/ (database, cache, broker, workers). Each check reports its own broken dependency,
and nothing but names and outcomes leaves the node."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from tests.helpers import production_environment
from tests.worker_support import broker_unreachable
from xiangcheng import celery_app

ROOT = Path(__file__).resolve().parent.parent.parent
ALL_OK = {"database": "ok", "cache": "ok", "broker": "ok", "worker": "ok"}
# The suite starts no worker unless a test asks for one.
NO_WORKER = {**ALL_OK, "worker": "unavailable"}


# A probe process leaves at once: a check past its deadline may still be waiting in its thread.
QUIT = "; import os, sys; sys.stdout.flush(); os._exit(0)"


def ready(client) -> tuple[int, dict]:
    response = client.get(reverse("health_ready"))
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def unavailable(checks: dict) -> dict:
    return {"status": "unavailable", "checks": checks}


def dead_cache(settings, folder: Path) -> None:
    """The cache pointed at a Redis socket nobody listens on."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{folder}/no-redis.sock?db=1"}}


# --- liveness ----------------------------------------------------------------------------------

def test_liveness_answers_while_every_dependency_is_down(client, settings, tmp_path):
    # No database access is allowed in this test (no db fixture): any query would raise.
    dead_cache(settings, tmp_path)
    with broker_unreachable(celery_app, tmp_path):
        response = client.get(reverse("health_live"))

    assert (response.status_code, json.loads(response.content)) == (200, {"status": "ok"})


def test_the_endpoints_need_no_login_set_no_cookie_and_are_never_cached(client, db):
    for name in ("health_live", "health_ready"):
        response = client.get(reverse(name))
        assert response.status_code in {200, 503}, name  # answered, not sent to the login page
        assert response.cookies == {}
        assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


# --- readiness: each check reports its own dependency -----------------------------------------

def test_readiness_without_a_running_worker_reports_the_worker(client, db):
    assert ready(client) == (503, unavailable(NO_WORKER))


def test_readiness_answers_to_a_caller_whose_thread_runs_an_event_loop(client, db):
    # As under ASGI, or after a browser test: the checks' own loop must not need this thread.
    async def probe():
        return ready(client)

    assert asyncio.run(probe()) == (503, unavailable(NO_WORKER))


def test_readiness_reports_a_cache_on_a_dead_redis_socket(client, db, settings, tmp_path):
    dead_cache(settings, tmp_path)

    assert ready(client) == (503, unavailable({**NO_WORKER, "cache": "unavailable"}))


def test_readiness_reports_an_unreachable_broker_and_so_no_worker(client, db, tmp_path):
    with broker_unreachable(celery_app, tmp_path):
        assert ready(client) == (503, unavailable({**NO_WORKER, "broker": "unavailable"}))


def test_readiness_reports_a_database_url_that_cannot_connect(tmp_path):
    # A web process of its own, started as a node would be, with no database server at its address.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.test",
           "DATABASE_URL": f"postgresql://portal@/xiangcheng?host={tmp_path}"}
    probe = ("import django; django.setup(); from django.test import Client; "
             "r = Client().get('/health/ready/'); print(r.status_code, r.content.decode())" + QUIT)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    status, body = result.stdout.strip().split(" ", 1)
    assert (result.returncode, int(status), json.loads(body)) == (
        0, 503, unavailable({**NO_WORKER, "database": "unavailable"})), result.stderr


def test_readiness_is_ok_once_every_queue_has_a_worker(client, workers):
    # A worker on the notifications queue alone still leaves the scans, reports and matching unserved.
    workers("notifications", pool="solo", concurrency=1, queues=("notifications",))
    assert ready(client) == (503, unavailable(NO_WORKER))

    workers("the-rest", pool="solo", concurrency=1, queues=("default", "reports", "matching"))
    assert ready(client) == (200, {"status": "ok", "checks": ALL_OK})


# --- production: probed over plain HTTP, telling nothing ---------------------------------------

def test_in_production_the_load_balancer_probes_over_http_and_learns_nothing_else():
    # The production settings, their database and Redis on hosts that do not answer.
    probe = ("import django, json; django.setup(); from django.test import Client; c = Client(); "
             "r = [c.get(p, HTTP_HOST='portal.example.cn') for p in ('/', '/health/live/', '/health/ready/')]; "
             "print(json.dumps([(x.status_code, x.get('Location'), x.content.decode() if x.status_code != 301 else '') "
             "for x in r]))" + QUIT)
    env = {**production_environment(), "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.returncode == 0, result.stderr
    home, live, readiness = json.loads(result.stdout)
    assert home == [301, "https://portal.example.cn/", ""]  # every page goes to HTTPS …
    assert live == [200, None, '{"status": "ok"}']  # … but the health endpoints answer over HTTP
    assert readiness[:2] == [503, None]
    assert json.loads(readiness[2]) == unavailable(dict.fromkeys(ALL_OK, "unavailable"))
