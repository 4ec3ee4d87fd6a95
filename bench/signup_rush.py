"""Sign-up rush: hundreds of members press "sign up" for one event at the same moment.

Runs the real stack: embedded PostgreSQL and Redis (or DATABASE_URL / REDIS_URL), gunicorn with
the production settings, and N concurrent HTTP clients each holding a logged-in session. Prints
confirmed, waitlisted, errors, sign-ups per second and latency percentiles. Uses its own
database (xiangcheng_bench), so development data is untouched.

    python bench/signup_rush.py --clients 300 --seats 50
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xiangcheng import devstack  # noqa: E402

PORT = 8765
BENCH_DB = "xiangcheng_bench"


def _bench_database_url(url: str) -> str:
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{BENCH_DB}" + (f"?{tail}" if tail else "")


def _prepare(clients: int, seats: int) -> tuple[int, list[tuple[str, str]]]:
    """Migrate the bench database, create the members and the event; return sessions."""
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from events.models import Event, EventStatus, Registration
    from members.models import MemberProfile, Status, User
    from xiangcheng.core.models import Programme

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    Registration.objects.all().delete()
    Event.objects.filter(title="bench rush").delete()
    now = timezone.now()
    event = Event.objects.create(
        programme=Programme.objects.get(slug="gather"), title="bench rush", kind="salon",
        description="bench", online_url="https://example.cn/bench",
        starts_at=now + timezone.timedelta(days=3), ends_at=now + timezone.timedelta(days=3, hours=2),
        registration_opens_at=now - timezone.timedelta(days=1),
        registration_closes_at=now + timezone.timedelta(days=2),
        cancellation_deadline=now + timezone.timedelta(days=2), capacity=seats, status=EventStatus.PUBLISHED,
    )
    sessions = []
    for i in range(clients):
        user, created = User.objects.get_or_create(username=f"bench{i}", defaults={"email": f"bench{i}@example.cn"})
        if created:
            MemberProfile.objects.create(user=user, real_name=f"压测{i}", category="researcher",
                                         organisation="bench", field="ai", city="suzhou",
                                         status=Status.APPROVED)
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        sessions.append((store.session_key, _get_new_csrf_string()))
    return event.pk, sessions


def _wait_for_server(deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _sign_up(event_id: int, session: tuple[str, str], barrier: threading.Barrier) -> tuple[int, float]:
    session_key, csrf = session
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {
        "Host": "127.0.0.1", "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded",
        "X-Forwarded-Proto": "https", "Referer": "https://127.0.0.1/",
    }
    barrier.wait()
    started = time.perf_counter()
    try:
        conn.request("POST", f"/events/{event_id}/sign-up/", body="children_ages=", headers=headers)
        status = conn.getresponse().status
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def _sms_provider_environment() -> dict[str, str]:
    """Production refuses the development SMS backends: the provider's, with a code for every
    declared template (nothing is sent: no worker runs, the endpoint is a closed local port)."""
    names = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from xiangcheng.core.sms import templates_declared; "
                               "print(' '.join(templates_declared()))"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.local"},
        check=True, capture_output=True, text=True).stdout.split()
    return {
        "SMS_BACKEND": "xiangcheng.core.sms_aliyun.AliyunBackend", "SMS_SIGN_NAME": "bench",
        "SMS_ALIYUN_ACCESS_KEY_ID": "bench", "SMS_ALIYUN_ACCESS_KEY_SECRET": "bench",
        "SMS_ALIYUN_ENDPOINT": "http://127.0.0.1:9", **{f"SMS_TEMPLATE_{name.upper()}": "SMS_0" for name in names},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    with devstack.Stack():
        if not os.environ["DATABASE_URL"].endswith(BENCH_DB):
            server_url = os.environ["DATABASE_URL"]
            import psycopg

            with psycopg.connect(server_url, autocommit=True) as conn:
                if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
                    conn.execute(f"CREATE DATABASE {BENCH_DB}")
            os.environ["DATABASE_URL"] = _bench_database_url(server_url)
        os.environ.update({
            "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.production",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "EMAIL_URL": "smtp://127.0.0.1:2525",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_DB_POOL_SIZE": "8",
            **_sms_provider_environment(),
        })
        event_id, sessions = _prepare(args.clients, args.seats)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "xiangcheng.wsgi", "-w", str(args.workers), "--threads", "4",
             "-b", f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT,
        )
        try:
            _wait_for_server(time.monotonic() + 60)
            barrier = threading.Barrier(len(sessions))
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
                results = list(pool.map(lambda s: _sign_up(event_id, s, barrier), sessions))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(timeout=30)

        from events.models import Registration

        confirmed = Registration.objects.filter(event_id=event_id, status="confirmed").count()
        waitlisted = Registration.objects.filter(event_id=event_id, status="waitlisted").count()
        errors = sum(1 for status, _ in results if status != 302)
        latencies = sorted(latency for _, latency in results)
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        sys.stdout.write(
            f"sign-up rush: {args.clients} clients, {args.seats} seats, gunicorn {args.workers}x4 threads\n"
            f"  confirmed   {confirmed}\n  waitlisted  {waitlisted}\n  errors      {errors}\n"
            f"  sign-ups/s  {len(results) / elapsed:.1f}\n"
            f"  latency     median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms\n"
        )
        return 0 if confirmed == args.seats and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
