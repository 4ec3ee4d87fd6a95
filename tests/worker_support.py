"""Real Celery worker processes for the integration tests of every app, and what they leave behind.

A worker is `python -m celery -A xiangcheng worker` in its own process group, on the test
database (DATABASE_URL built from the test process's connection) and the test Redis database
(same TEST_REDIS_DB). Its email backend writes one file per message into a folder the test
reads. ``FileEmailBackend`` can pause before each message (TEST_EMAIL_PAUSE_SECONDS), which
lets a test kill a worker while it is in the middle of a batch: that pause runs in the worker,
the test itself only polls for conditions.

The ``workers`` and ``mail_dir`` fixtures in tests/conftest.py start and stop them.

This module is also imported by the worker (for the email backend), so it imports Django
models and test libraries only inside functions.
"""

import email
import email.message
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager, suppress
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend

SEPARATOR = b"-" * 79 + b"\n"  # what Django's file backend writes after each message
READY_TIMEOUT = 30.0


# --- waiting without sleeping in the test -----------------------------------------------------

def wait_until(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.02,
               state: Callable[[], object] | None = None):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds.

    ``state`` describes what was seen instead, for the failure message.
    """
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            seen = f"; state: {state()}" if state else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{seen}")
        pause.wait(interval)


# --- the worker's email backend and what it wrote ---------------------------------------------

class FileEmailBackend(DjangoFileBackend):
    """Django's file backend, one file per message, written atomically, optionally slow.

    Before each message it leaves ``<pid>.inflight`` (holding the time it started) and pauses
    TEST_EMAIL_PAUSE_SECONDS; then it writes the message and removes the marker.
    """

    def send_messages(self, email_messages):
        pause = float(getattr(settings, "TEST_EMAIL_PAUSE_SECONDS", 0) or 0)
        folder = Path(self.file_path)
        marker = folder / f"{os.getpid()}.inflight"
        sent = 0
        for message in email_messages:
            if pause:
                marker.write_text(repr(time.time()))
                time.sleep(pause)  # in the worker: a slow mail server, so it can die mid-batch
            name = uuid.uuid4().hex
            partial = folder / f"{name}.part"
            partial.write_bytes(message.message().as_bytes() + b"\n" + SEPARATOR)
            partial.rename(folder / f"{name}.log")
            marker.unlink(missing_ok=True)
            sent += 1
        return sent


def _decoded(value: str | None) -> str:
    return str(make_header(decode_header(value or "")))


def messages(folder: Path, policy: email.policy.Policy = email.policy.default) -> list[email.message.Message]:
    """Every message the file backends wrote into ``folder``, parsed with ``policy``."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + SEPARATOR):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk, policy=policy))
    return found


def mails(folder: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every message the file backends wrote into ``folder``, decoded
    from the headers as sent."""
    return [(_decoded(m["To"]), _decoded(m["Subject"])) for m in messages(folder, email.policy.compat32)]


def mails_per_recipient(folder: Path) -> Counter:
    return Counter(to for to, _ in mails(folder))


def inflight_ages(folder: Path) -> list[float]:
    """Seconds since each worker process began the message it is pausing on now."""
    ages = []
    for marker in folder.glob("*.inflight"):
        try:
            ages.append(time.time() - float(marker.read_text()))
        except (FileNotFoundError, ValueError):
            continue  # removed or being written just now
    return ages


# --- worker processes -------------------------------------------------------------------------

def test_database_url() -> str:
    """The test process's own (test) database, spelt for DATABASE_URL."""
    from django.db import connection

    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    host = db["HOST"] or ""
    if host.startswith("/"):  # a socket folder
        return f"postgresql://{user}:{password}@/{db['NAME']}?host={quote(host, safe='/')}"
    return f"postgresql://{user}:{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


class Worker:
    """One `celery worker` process group; started ready, stopped (or killed) for sure."""

    def __init__(self, *, name: str, mail_dir: Path, log_dir: Path, pool: str = "prefork",
                 concurrency: int = 2, env: dict[str, str] | None = None, include: tuple[str, ...] = (),
                 queues: tuple[str, ...] = ()):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.hostname = f"{name}-{uuid.uuid4().hex[:6]}@%h"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.test",
            "DATABASE_URL": test_database_url(),
            "TEST_REDIS_DB": str(settings.TEST_REDIS_DB),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
            "CELERY_TASK_ALWAYS_EAGER": "false",  # what it enqueues goes through Redis too
            "OUTBOX_LEASE_SECONDS": "2",
            "OUTBOX_GRACE_SECONDS": "0",
            **(env or {}),
        }
        self.args = [sys.executable, "-m", "celery", "-A", "xiangcheng", "worker", "--pool", pool,
                     "--concurrency", str(concurrency), "-l", "info", "-n", self.hostname,
                     "--without-gossip", "--without-mingle", "--without-heartbeat"]
        if include:  # modules with test-only tasks, imported by the worker too
            self.args += ["--include", ",".join(include)]
        if queues:  # as a production worker machine (-Q); without it, every configured queue
            self.args += ["-Q", ",".join(queues)]
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.args, cwd=settings.BASE_DIR, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_for(lambda: b" ready." in self.log_path.read_bytes(), timeout=READY_TIMEOUT,
                      what=f"worker {self.name} to be ready")
        return self

    def wait_for(self, condition: Callable[[], object], *, timeout: float, what: str):
        """``wait_until`` while this worker runs: fails at once, with its log, if it exits."""

        def met():
            if self.proc.poll() is not None:
                raise AssertionError(f"worker {self.name} exited ({self.proc.returncode}):\n{self.log()}")
            return condition()

        return wait_until(met, timeout=timeout, what=what, state=self.log)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as the OOM killer would."""
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it does not go within 20 s."""
        if self.proc is None:
            return
        with suppress(ProcessLookupError):
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                with suppress(subprocess.TimeoutExpired):
                    self.proc.wait(timeout=20)
            os.killpg(self.proc.pid, signal.SIGKILL)  # what is left of the group, if anything
        self.proc.wait(timeout=20)


# --- the test process's broker -----------------------------------------------------------------

def _reset_producer_pools(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def broker_unreachable(app, socket_dir: Path):
    """Point this process's Celery at a Redis socket nobody listens on, then back."""
    previous = app.conf.broker_url
    app.conf.broker_url = f"redis+socket://{socket_dir / 'no-redis.sock'}?virtual_host=0"
    _reset_producer_pools(app)
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_producer_pools(app)


def queue_length(queue: str | None = None) -> int:
    """Messages waiting in the test Redis database: in one Celery queue, or in all of them."""
    import redis

    names = [queue] if queue else [q.name for q in settings.CELERY_TASK_QUEUES]
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        return sum(client.llen(name) for name in names)
    finally:
        client.close()
