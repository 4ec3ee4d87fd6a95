"""A review notice sent by a real Celery worker process over the real (embedded) Redis broker."""

import email
import email.policy
import os
import re
import subprocess
import sys
import time
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext

from members.membership import profiles_approve
from members.models import ReviewDecision, Status
from tests.factories import MemberProfileFactory, UserFactory
from xiangcheng import celery_app

WORKER_DEADLINE_SECONDS = 60
MESSAGE_END = b"\n" + b"-" * 79 + b"\n"  # written by the file email backend after each message


def worker_database_url() -> str:
    """The test process's own (test) database, for a process that is not part of pytest."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    host = db["HOST"] or ""
    if host.startswith("/"):  # a socket folder
        url = f"postgresql://{user}:{password}@/{db['NAME']}?host={quote(host, safe='/')}"
    else:
        url = f"postgresql://{user}:{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    return url


@pytest.fixture
def eager_off():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def worker(transactional_db, tmp_path):
    """`celery worker --pool solo` on the test database and the test Redis database."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xiangcheng.settings.test",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "TEST_REDIS_DB": os.environ.get("TEST_REDIS_DB", "1"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "xiangcheng", "worker", "--pool", "solo",
             "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            yield proc, mail_dir, log_path
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def wait_for_mail(proc: subprocess.Popen, mail_dir: Path, log_path: Path) -> list[bytes]:
    """Poll (bounded) until the worker has written a complete message; fail if it dies."""
    deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        messages = [p.read_bytes() for p in sorted(mail_dir.iterdir())]
        if messages and all(m.endswith(MESSAGE_END) for m in messages):
            return messages
        try:
            proc.wait(timeout=0.25)  # doubles as the pause between polls
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"the worker exited with {proc.returncode}:\n{log_path.read_text()}")
    pytest.fail(f"no email within {WORKER_DEADLINE_SECONDS}s; worker log:\n{log_path.read_text()}")


def test_review_notice_is_sent_by_a_real_worker(worker, eager_off, outbox):
    proc, mail_dir, log_path = worker
    reviewer = UserFactory(username="reviewer", is_staff=True)
    profile = MemberProfileFactory(status=Status.PENDING, real_name="沈佳怡",
                                   user=UserFactory(email="jiayi.shen@example.cn"))

    assert profiles_approve(profile_ids=[profile.pk], reviewer=reviewer) == 1
    # Committed (no test transaction here), so the task is now on the Redis queue, not run inline.
    profile.refresh_from_db()
    assert profile.status == Status.APPROVED
    assert ReviewDecision.objects.filter(profile=profile, decision="approved").count() == 1

    raw = wait_for_mail(proc, mail_dir, log_path)
    assert len(raw) == 1
    message = email.message_from_bytes(raw[0][: -len(MESSAGE_END)], policy=email.policy.default)
    headers = email.message_from_bytes(raw[0][: -len(MESSAGE_END)])  # undecoded, as sent
    with translation.override(settings.LANGUAGE_CODE):
        subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + gettext("Your membership is approved")
    assert str(make_header(decode_header(headers["Subject"]))) == subject
    assert message["To"] == "jiayi.shen@example.cn"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert "沈佳怡" in message.get_content()
    # The worker ran the task that this process queued; this process sent nothing itself.
    assert outbox == []
    assert re.search(r"Task members\.tasks\.send_review_notice\[[0-9a-f-]+\] succeeded",
                     log_path.read_text())
