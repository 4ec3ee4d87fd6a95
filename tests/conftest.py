import os

import pytest
from django.core import mail
from django.core.cache import cache

from xiangcheng import sms

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _clean_outboxes_and_cache():
    """Each test starts with no sent SMS and no rate-limit counters (the test Redis db)."""
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def outbox():
    return mail.outbox


@pytest.fixture
def sms_outbox():
    return sms.outbox
