"""Health endpoints for the load balancer and monitoring (django-health-check's checks).

``/health/live/``  liveness: this web process answers. It touches no database, cache or broker,
                   so a node whose dependencies are down is not restarted for it.
``/health/ready/`` readiness: this node can serve, and the work it hands on gets done — the
                   database (a ``SELECT 1``), the cache (a write and a read), the Celery broker
                   (a connection) and the workers (a ping: every queue has a worker that
                   answers within a second).

Both answer JSON naming each check and ``ok`` or ``unavailable``, 200 when all are ok and 503
otherwise — nothing else: no host, port, version, error text or timing. Why a check failed is
logged on the node (logger ``health_check``, WARNING). They need no login, set no cookie and
are never cached; the production settings exempt them from the HTTPS redirect so the load
balancer may probe a node over plain HTTP (docs/operations.md, "Health checks").
"""

import asyncio
import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from celery import current_app
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck, HealthCheckResult
from health_check.checks import Cache, Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable

OK = "ok"
UNAVAILABLE = "unavailable"


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection: where this node enqueues notices."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)

    def run(self) -> None:
        try:
            with current_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                             timeout=self.timeout.total_seconds())
        except Exception as exc:  # kombu wraps the transport's errors in its own kinds
            raise ServiceUnavailable("broker unreachable") from exc


def _within(check: HealthCheck, seconds: float) -> HealthCheck:
    check.timeout = datetime.timedelta(seconds=seconds)
    return check


def readiness_checks() -> dict[str, HealthCheck]:
    """What /health/ready/ checks, by the name it reports. Built per request: the worker ping
    uses the Celery app's broker as configured now.

    Each check has a short deadline (the library gives it one more second to report), so a
    readiness answer takes at most about three seconds even when a server hangs: a database
    that does not answer would otherwise hold the probe for the pool's whole 10 s wait.
    """
    return {
        "database": _within(Database(alias="default"), 2),
        "cache": Cache(alias="default", timeout=datetime.timedelta(seconds=2)),
        "broker": Broker(timeout=datetime.timedelta(seconds=2)),
        # Every worker replies within the second; the library then checks that each queue in
        # CELERY_TASK_QUEUES is consumed by one of them.
        "worker": Ping(app=current_app, timeout=datetime.timedelta(seconds=1)),
    }


@never_cache
def live(request):
    """The web process answers; nothing else is checked."""
    return JsonResponse({"status": OK})


def _results(checks: list[HealthCheck]) -> list[HealthCheckResult]:
    """Each check's result, all run side by side, each within its deadline."""

    async def gathered(executor):
        return await asyncio.gather(*(check.get_result(executor) for check in checks))

    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health")
    try:
        # The event loop runs in a thread of its own: the request's thread may already run one
        # (under ASGI, or a test driving a browser), and a loop cannot be started inside another.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-loop") as loop_thread:
            return loop_thread.submit(asyncio.run, gathered(executor)).result()
    finally:
        # A check past its deadline is already reported unavailable; its thread ends on its
        # own (the pool's wait, kombu's retries) without holding the answer back.
        executor.shutdown(wait=False, cancel_futures=True)


@never_cache
def ready(request):
    """The readiness checks' names and outcomes, and nothing else."""
    checks = readiness_checks()
    results = _results(list(checks.values()))
    outcome = {name: UNAVAILABLE if result.error else OK for name, result in zip(checks, results, strict=True)}
    healthy = UNAVAILABLE not in outcome.values()
    return JsonResponse({"status": OK if healthy else UNAVAILABLE, "checks": outcome}, status=200 if healthy else 503)
