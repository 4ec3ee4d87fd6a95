"""The test suite: the same PostgreSQL and Redis as development, nothing faked."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import CACHES, DATABASE_URL, DATABASES, REDIS_URL, celery_broker_url, env, replica_database

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem for in-process tests; a Celery worker subprocess writes files the test can read.
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default="")
SMS_BACKEND = "xiangcheng.core.sms.LocmemBackend"
# Admin tests log staff in directly; tests/members/test_staff_mfa.py switches the requirement on.
STAFF_MFA_REQUIRED = False
# Unit tests run tasks inline; the Celery integration tests switch this off and use a worker,
# whose own settings say false too, so a task it enqueues goes through the broker as in production.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# The worker integration tests shorten the outbox lease and grace (tests/events/test_worker.py),
# and may slow their worker's email backend down to kill it mid-batch.
OUTBOX_LEASE_SECONDS = env.float("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_GRACE_SECONDS = env.float("OUTBOX_GRACE_SECONDS", default=30)
# Every test renders its pages (tests/core/test_shared_pages.py turns keeping on).
SHARED_PAGE_KEPT_SECONDS = 0
TEST_EMAIL_PAUSE_SECONDS = env.float("TEST_EMAIL_PAUSE_SECONDS", default=0)


def _redis_db(url: str, db: str) -> str:
    """The same Redis server, another database number: tests may flush theirs freely."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = urlencode({**dict(parse_qsl(parts.query)), "db": db})
        return f"unix://{parts.path}?{query}"
    return urlunsplit(parts._replace(path=f"/{db}"))


# A separate Redis database so a test run never reads or flushes a dev server's data. The suite's
# parallel processes (pytest-xdist's gw0, gw1, …) each have their own: 1, 2, …, as each has its own
# test database (pytest-django names it with the same suffix).
TEST_REDIS_DB = env.int("TEST_REDIS_DB", default=1 + int(env.str("PYTEST_XDIST_WORKER", default="gw0")[2:]))
REDIS_URL = _redis_db(REDIS_URL, str(TEST_REDIS_DB))
CACHES["default"]["LOCATION"] = REDIS_URL
CACHES["default"]["KEY_PREFIX"] = "xc-test"
CELERY_BROKER_URL = celery_broker_url(REDIS_URL)

# Lets two test runs share one server without sharing a test database.
DATABASES["default"]["TEST"] = {"NAME": env.str("DJANGO_TEST_DB_NAME", default="test_xiangcheng")}
# The replica, as production may have it: a second, read-only connection, here to the test database
# itself (a TEST MIRROR). Reports still read "default" unless a test asks for the replica
# (tests/core/test_replica.py): a second connection cannot see what a test wrote inside its
# own transaction.
DATABASES["replica"] = {**replica_database(DATABASE_URL), "TEST": {"MIRROR": "default"}}
REPORTS_DATABASE = "default"
# Uploaded photos and posters from /media/, as the reverse proxy serves them in production.
SERVE_MEDIA = True

# `make test-midnight` runs the suite on a clock pinned just after and just before midnight in
# Xiangcheng (docs/architecture.md, "Time"). Every process that loads these settings — pytest and
# its live server, the Celery workers it starts — moves to one running clock: TEST_CLOCK at the
# real moment TEST_CLOCK_SET_AT. time-machine, not libfaketime: see the architecture notes.
if TEST_CLOCK := env.float("TEST_CLOCK", default=0.0):
    import time

    import time_machine

    time_machine.travel(TEST_CLOCK + (time.time() - env.float("TEST_CLOCK_SET_AT")), tick=True).start()
    time.time()  # a ticking travel runs from its first reading: take it now, so the processes agree
