"""我的消息: every notice sent to her, newest first, unread count in the menu, mark as read;
staff-only notices and other people's notices never appear; the list costs the same at any length."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from events import notices as event_notices
from events.notices import notify_registration
from services.notices import notify_digest
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MemberProfileFactory, StaffFactory
from tests.helpers import messages_of, queries_for, renders_of, squash, zh, zh_n
from xiangcheng.core import message_centre
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return MemberProfileFactory(real_name="林晓雯").user


def sent_notices(user, n: int) -> list[Notice]:
    """n event confirmations she was sent, an hour apart, oldest first."""
    made = []
    for i in range(n):
        registration = RegistrationFactory(user=user, event=EventFactory(title=f"沙龙第{i + 1}期"))
        pk = notify_registration(registration=registration, kind=event_notices.CONFIRMED)[0]
        deliver(notice_id=pk)
        Notice.objects.filter(pk=pk).update(created_at=timezone.now() - timedelta(hours=n - i))
        made.append(Notice.objects.get(pk=pk))
    return made


def listed(response) -> list[str]:
    return [n.subject for n in response.context["page"]]


def menu_count(response) -> str | None:
    match = re.search(r'<summary[^>]*>.*?<span class="badge nav-count"[^>]*>(\d+)</span>', response.content.decode(),
                      re.S)
    return match.group(1) if match else None


def test_she_sees_her_notices_newest_first_with_the_unread_count(client, member):
    first, second = sent_notices(member, 2)
    client.force_login(member)

    response = client.get(reverse("notices:list"))

    assert response.status_code == 200
    assert listed(response) == [second.subject, first.subject]
    assert second.subject == zh("You are signed up: %(t)s", t="沙龙第2期")
    assert response.context["unread_notices"] == 2
    assert menu_count(response) == "2"
    assert zh_n("%(n)s unread message", "%(n)s unread messages", 2) in response.content.decode()


def test_opening_a_notice_shows_its_text_and_marks_it_read(client, member):
    [notice] = sent_notices(member, 1)
    client.force_login(member)

    response = client.get(reverse("notices:detail", args=[notice.pk]))

    assert response.status_code == 200
    assert notice.body.splitlines()[0] in response.content.decode()
    assert f'href="{notice.url}"' in response.content.decode()
    notice.refresh_from_db()
    assert notice.read_at is not None
    page = client.get(reverse("notices:list"))
    assert (page.context["unread_notices"], menu_count(page)) == (0, None)


def test_mark_all_as_read(client, member):
    sent_notices(member, 3)
    client.force_login(member)

    response = client.post(reverse("notices:read_all"), follow=True)

    assert messages_of(response) == [zh("All messages are marked as read.")]
    assert Notice.objects.filter(recipient=member, read_at__isnull=True).count() == 0
    assert response.context["unread_notices"] == 0
    assert client.get(reverse("notices:read_all")).status_code == 405  # a change is never a GET


def test_another_members_notice_answers_404_and_stays_unread(client, member):
    [hers] = sent_notices(member, 1)
    client.force_login(MemberProfileFactory().user)

    assert client.get(reverse("notices:detail", args=[hers.pk])).status_code == 404
    assert client.get(reverse("notices:detail", args=[999999])).status_code == 404
    hers.refresh_from_db()
    assert hers.read_at is None


def test_staff_digests_and_unsent_notices_are_not_listed(client, django_capture_on_commit_callbacks):
    agent = StaffFactory(username="kefu")
    digest = notify_digest(recipient=agent, audience="agent")
    Notice.objects.filter(pk=digest).update(state=Notice.State.SENT, subject="摘要")
    RegistrationFactory(user=agent)
    pending = notify_registration(registration=RegistrationFactory(user=agent), kind=event_notices.CONFIRMED)[0]
    client.force_login(agent)

    response = client.get(reverse("notices:list"))

    assert (listed(response), response.context["unread_notices"]) == ([], 0)
    assert client.get(reverse("notices:detail", args=[digest])).status_code == 404
    assert client.get(reverse("notices:detail", args=[pending])).status_code == 404


def test_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("notices:list"))
    assert (response.status_code, response["Location"]) == (302, f"{reverse('account_login')}?next=/messages/")


def test_the_list_costs_the_same_at_5_and_at_50_notices(client, member):
    sent_notices(member, 5)
    client.force_login(member)
    five = queries_for(client, reverse("notices:list"))
    sent_notices(member, 45)
    assert queries_for(client, reverse("notices:list")) == five
    assert len(client.get(reverse("notices:list")).context["page"]) == 20  # paginated


def test_her_unread_count_comes_with_her_account_and_is_never_out_of_date(client, member):
    first, second = sent_notices(member, 2)
    client.force_login(member)
    # Her account, her profile and her unread count: one query, none of the count's own.
    with CaptureQueriesContext(connection) as queries:
        assert menu_count(client.get(reverse("events:list"))) == "2"
    assert sum('"core_notice"' in q["sql"] for q in queries.captured_queries) == 1
    assert sum('"members_user"' in q["sql"] and '"core_notice"' in q["sql"] for q in queries.captured_queries) == 1

    # Reading a notice: the page that marks it read already counts one fewer.
    opened = client.get(reverse("notices:detail", args=[first.pk]))
    assert menu_count(opened) == "1"
    assert menu_count(client.get(reverse("events:list"))) == "1"

    sent_notices(member, 1)
    assert menu_count(client.get(reverse("events:list"))) == "2"

    client.post(reverse("notices:read_all"))
    assert menu_count(client.get(reverse("events:list"))) is None


def rows_rendered(client) -> tuple[int, list[str]]:
    """How many of her rows the page rendered, and each row's text."""
    count, page = renders_of(client, reverse("notices:list"), message_centre.ROW_TEMPLATE)
    return count, [squash(row.split("</li>")[0]) for row in page.split('<li class="card notice-row')[1:]]


def test_her_rows_are_rendered_once_and_a_notice_she_reads_shows_read_at_once(client, member):
    first, second = sent_notices(member, 2)
    client.force_login(member)
    unread = zh("Unread")

    rendered, rows = rows_rendered(client)
    again, rows_again = rows_rendered(client)
    assert (rendered, again) == (2, 0) and rows_again == rows
    assert [(second.subject in row, unread in row) for row in rows] == [(True, True), (False, True)]

    client.get(reverse("notices:detail", args=[first.pk]))
    rendered, rows = rows_rendered(client)
    assert rendered == 1
    assert [(first.subject in row, unread in row) for row in rows] == [(False, True), (True, False)]
