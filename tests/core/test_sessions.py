"""Sessions are kept in the database and read from Redis; with Redis down signed-in pages still
work. The signed-in account is loaded with her profile in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import MemberProfileFactory

pytestmark = pytest.mark.django_db


def tables_read(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.fixture
def member_client(client):
    client.force_login(MemberProfileFactory(real_name="林晓雯").user)
    return client


def test_a_signed_in_page_reads_her_session_from_the_cache_and_her_profile_with_her_account(member_client):
    sql = tables_read(member_client, reverse("members:privacy"))

    assert [s for s in sql if "django_session" in s] == []
    [account] = [s for s in sql if 'FROM "members_user"' in s]
    assert '"members_memberprofile"' in account  # one query for both
    assert [s for s in sql if 'FROM "members_memberprofile"' in s] == []


def test_with_redis_down_a_signed_in_page_still_works(member_client, settings, tmp_path):
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path / 'gone.sock'}?db=1"}}

    response = member_client.get(reverse("notices:list"))

    assert response.status_code == 200
    assert response.context["user"].profile.real_name == "林晓雯"


def test_with_redis_down_logging_out_ends_the_session(member_client, settings, tmp_path):
    from django.contrib.sessions.models import Session

    key = member_client.cookies["sessionid"].value
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path / 'gone.sock'}?db=1"}}

    response = member_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert member_client.get(reverse("notices:list")).status_code == 302  # to the login page
