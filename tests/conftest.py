import logging
import os

import pytest
from celery.result import allow_join_result
from celery.signals import before_task_publish
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.utils import translation

from tests import channel_stand_ins
from tests.factories import StaffFactory
from tests.worker_support import Worker
from xiangcheng import celery_app
from xiangcheng.core import fragments, sms

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in another language leaves that language
    active in the thread, which would otherwise leak into whichever test runs next."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clean_outboxes_and_cache():
    """Each test starts with no sent SMS, no rate-limit counters (the test Redis db) and no kept
    fragments, shared or in the process."""
    sms.outbox.clear()
    cache.clear()
    fragments.forget_in_process()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _eager_results_joinable():
    """Each test starts with eager tasks' results joinable (``.delay().get()``). Celery forbids
    the join while an eager task runs with one flag for the whole process, saved and restored
    around each task: threads running eager tasks at once (the races) can leave it set."""
    with allow_join_result():
        yield


@pytest.fixture
def outbox():
    return mail.outbox


@pytest.fixture
def sms_outbox():
    return sms.outbox


@pytest.fixture
def smtp_server(settings):
    """A mail server on 127.0.0.1 (tests.channel_stand_ins) that the email backend talks SMTP to."""
    with channel_stand_ins.SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", server.port, False
        yield server


@pytest.fixture
def refused_phones(settings):
    """The SMS backend refuses the numbers the test adds to this set (and sends the others)."""
    settings.SMS_BACKEND = "tests.channel_stand_ins.RefusingSmsBackend"
    channel_stand_ins.REFUSED_PHONES.clear()
    channel_stand_ins.ROWS_AT_SMS.clear()
    yield channel_stand_ins.REFUSED_PHONES
    channel_stand_ins.REFUSED_PHONES.clear()
    channel_stand_ins.ROWS_AT_SMS.clear()


# --- staff -------------------------------------------------------------------------------------

@pytest.fixture
def staff_in_group(db):
    """``staff_in_group(username, *groups)``: a staff user at <username>@fulian.example.cn in
    these staff groups (none at all is allowed), each with exactly the permissions its data
    migration gives it. Her password is tests.factories.PASSWORD."""

    def make(username: str, *groups: str):
        return StaffFactory(username=username, groups=groups)

    return make


@pytest.fixture
def clerk(staff_in_group):
    """A member of staff in no staff group at all: she may log in to the admin, nothing more."""
    return staff_in_group("clerk")


# --- real Celery workers -----------------------------------------------------------------------

@pytest.fixture
def mail_dir(tmp_path):
    """Where the workers' file email backends write what they send."""
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def publish_to_redis():
    """This process publishes its tasks to the test Redis database instead of running them inline."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def published_tasks(publish_to_redis):
    """The names of the tasks this process publishes to Redis, in order."""
    seen: list[str] = []

    def record(sender=None, **kwargs):
        seen.append(sender)

    before_task_publish.connect(record, weak=False)
    yield seen
    before_task_publish.disconnect(record)


@pytest.fixture
def workers(transactional_db, tmp_path, mail_dir, publish_to_redis):
    """``workers(name, **kwargs)`` starts a real Celery worker (tests.worker_support.Worker) on
    the test database and this run's Redis database, and returns it once it is ready.

    This process publishes to Redis too while the fixture is active. Every worker started is
    stopped afterwards, whatever happened, and its log printed (shown when the test failed).
    """
    started: list[Worker] = []

    def start(name: str, **kwargs) -> Worker:
        worker = Worker(name=name, mail_dir=mail_dir, log_dir=tmp_path, **kwargs)
        started.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in started:
            try:
                worker.stop()
            finally:
                # Captured by pytest and shown with the report when the test failed.
                logging.getLogger("tests.workers").warning("--- %s ---\n%s", worker.name, worker.log())


def pytest_report_header(config):
    """Says when the suite runs on a pinned clock (`make test-midnight`), and where it starts."""
    from django.conf import settings
    from django.utils import timezone

    if getattr(settings, "TEST_CLOCK", 0):
        return f"clock pinned: starts at {timezone.localtime():%Y-%m-%d %H:%M:%S %Z} ({settings.TIME_ZONE})"
    return None


# --- the access matrices (tests/test_access_matrix.py, tests/core/test_roles_matrix.py) ----------

@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back after it (tests/access_world.py)."""
    from django.db import transaction

    from tests.access_world import World, load_world

    with django_db_blocker.unblock(), transaction.atomic():
        load_world()
        world = World()
        yield world
        world.forget_files()
        transaction.set_rollback(True)
