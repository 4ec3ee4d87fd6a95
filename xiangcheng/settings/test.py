"""The test suite: the same PostgreSQL and Redis as development, nothing faked."""

from .base import *  # noqa: F403
from .base import CACHES

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "xiangcheng.sms.LocmemBackend"
# Unit tests run tasks inline; the Celery integration tests switch this off and use a worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A separate key space so a test run never reads a dev server's cache or rate limits.
CACHES["default"]["KEY_PREFIX"] = "xc-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
