"""Event cards are rendered once per version and never shown stale."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events import booking
from events.cards import CARD_TEMPLATE, FACTS_TEMPLATE, ROW_TEMPLATE
from tests.factories import MemberProfileFactory
from tests.helpers import renders_of, squash, zh, zh_n
from xiangcheng.core.fragments import FIELDS_TEMPLATE

from .factories import EventFactory, VenueFactory, programme

pytestmark = pytest.mark.django_db


def rendered(client, url: str, template_name: str) -> tuple[int, str]:
    return renders_of(client, url, template_name)


def cards_rendered(client, url: str) -> tuple[int, list[str]]:
    """How many cards the request rendered, and each card's text."""
    count, page = rendered(client, url, CARD_TEMPLATE)
    cards = page.split('<li class="event-card')[1:]
    return count, [squash(card.split("</li>")[0].split(">", 1)[1]) for card in cards]


def cards_rendered_in(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return cards_rendered(client, reverse("events:list"))


def seats_line(n: int) -> str:
    return zh_n("%(n)s seat left", "%(n)s seats left", n)


def test_a_card_is_rendered_once_then_read_from_the_cache(client):
    EventFactory(title="沙龙一", starts_at=timezone.now() + timedelta(days=1))
    EventFactory(title="沙龙二", starts_at=timezone.now() + timedelta(days=2))

    first, cards = cards_rendered(client, reverse("events:list"))
    again, cards_again = cards_rendered(client, reverse("events:list"))

    assert (first, again) == (2, 0)
    assert cards_again == cards
    assert [("沙龙一" in card, "沙龙二" in card) for card in cards] == [(True, False), (False, True)]


def test_a_seat_taken_a_renamed_venue_or_an_edit_shows_at_once(client):
    venue = VenueFactory(name="LADIES 聚力空间")
    event = EventFactory(title="产业沙龙", capacity=3, venue=venue, starts_at=timezone.now() + timedelta(days=1))
    _, (card,) = cards_rendered(client, reverse("events:list"))
    assert seats_line(3) in card and "LADIES 聚力空间" in card

    booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user)
    rendered, (card,) = cards_rendered(client, reverse("events:list"))
    assert rendered == 1 and seats_line(2) in card

    venue.name = "相城科创中心"
    venue.save()
    rendered, (card,) = cards_rendered(client, reverse("events:list"))
    assert rendered == 1 and "相城科创中心" in card and "LADIES" not in card

    event.title = "产业资源沙龙"
    event.save()
    rendered, (card,) = cards_rendered(client, reverse("events:list"))
    assert rendered == 1 and "产业资源沙龙" in card


def test_each_language_has_its_own_card(client):
    EventFactory(title="Salon", capacity=3, starts_at=timezone.now() + timedelta(days=1))

    _, (chinese,) = cards_rendered(client, reverse("events:list"))
    rendered, (english,) = cards_rendered_in(client, "en")

    assert seats_line(3) in chinese
    assert rendered == 1 and "3 seats left" in english


def test_with_the_cache_unreachable_the_cards_are_rendered_and_kept_in_the_process(client, settings, tmp_path):
    EventFactory(title="沙龙", capacity=3, starts_at=timezone.now() + timedelta(days=1))
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"unix://{tmp_path / 'none.sock'}?db=1"}}

    first, (card,) = cards_rendered(client, reverse("events:list"))
    again, (card_again,) = cards_rendered(client, reverse("events:list"))

    assert (first, again) == (1, 0)
    assert seats_line(3) in card and card_again == card


def facts_rendered(client, event) -> tuple[int, str]:
    """How many times the request rendered the event page's facts, and their text."""
    count, page = rendered(client, reverse("events:detail", args=[event.pk]), FACTS_TEMPLATE)
    return count, squash(page.split('<article class="event-page')[1].split('<section class="card booking"')[0])


def test_an_events_page_says_the_same_once_rendered_and_each_change_shows_at_once(client):
    venue = VenueFactory(name="LADIES 聚力空间", notes="二楼")
    event = EventFactory(title="产业沙龙", capacity=1, venue=venue, starts_at=timezone.now() + timedelta(days=1))
    member = MemberProfileFactory()
    client.force_login(member.user)

    first, facts = facts_rendered(client, event)
    again, facts_again = facts_rendered(client, event)
    assert (first, again) == (1, 0)
    assert facts_again == facts
    assert "产业沙龙" in facts and "二楼" in facts and zh("%(n)s of %(total)s left", n=1, total=1) in facts

    booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user)
    rendered_now, facts = facts_rendered(client, event)
    assert rendered_now == 1 and zh("%(n)s of %(total)s left", n=0, total=1) in facts

    booking.sign_up(event_id=event.pk, user=MemberProfileFactory().user)  # onto the waitlist
    rendered_now, facts = facts_rendered(client, event)
    assert rendered_now == 1 and zh("%(n)s waiting", n=1) in facts

    venue.notes = "三楼报告厅"
    venue.save()
    rendered_now, facts = facts_rendered(client, event)
    assert rendered_now == 1 and "三楼报告厅" in facts and "二楼" not in facts

    event.title = "产业资源沙龙"
    event.save()
    rendered_now, facts = facts_rendered(client, event)
    assert rendered_now == 1 and "产业资源沙龙" in facts


def fields_rendered(client, url: str) -> tuple[int, str]:
    return rendered(client, url, FIELDS_TEMPLATE)


def test_the_empty_filter_form_is_kept_and_a_typed_one_is_kept_as_typed(client):
    first, _ = fields_rendered(client, reverse("events:list"))
    again, page = fields_rendered(client, reverse("events:list"))
    typed, typed_page = fields_rendered(client, reverse("events:list") + "?q=新材料")
    typed_again, typed_page_again = fields_rendered(client, reverse("events:list") + "?q=新材料")
    other, other_page = fields_rendered(client, reverse("events:list") + "?q=人工智能&kind=salon")

    assert (first, again, typed, typed_again, other) == (1, 0, 1, 0, 1)
    assert '<input type="search" name="q"' in page and 'value="新材料"' not in page
    assert 'value="新材料"' in typed_page and typed_page_again == typed_page
    assert 'value="人工智能"' in other_page and 'value="新材料"' not in other_page
    assert '<option value="salon" selected>' in other_page and '<option value="salon" selected>' not in typed_page


def test_a_typed_filter_with_an_error_is_rendered_afresh_each_time(client):
    url = reverse("events:list") + "?q=新材料&month=2026-13"
    shown = [fields_rendered(client, url) for _ in range(2)]

    assert [count for count, _ in shown] == [1, 1]
    assert zh("Enter a valid date.") in shown[1][1] and 'value="新材料"' in shown[1][1]


def test_a_renamed_programme_shows_in_the_filter_at_once(client):
    fields_rendered(client, reverse("events:list"))
    gather = programme("gather")
    gather.name = "相聚她服务平台"
    gather.save()

    rendered, page = fields_rendered(client, reverse("events:list"))

    assert rendered == 1
    assert '<option value="gather">相聚她服务平台</option>' in page


def rows_rendered(client) -> tuple[int, list[str]]:
    """How many rows of 我的活动 the request rendered, and each row's text."""
    count, page = rendered(client, reverse("events:mine"), ROW_TEMPLATE)
    rows = page.split('<li class="card registration">')[1:]
    return count, [squash(row.split("</li>")[0]) for row in rows]


def test_her_rows_are_rendered_once_and_each_change_shows_at_once(client):
    member = MemberProfileFactory()
    client.force_login(member.user)
    event = EventFactory(title="产业沙龙", capacity=1, starts_at=timezone.now() + timedelta(days=3))
    full = EventFactory(title="读书会", capacity=1, starts_at=timezone.now() + timedelta(days=4))
    booking.sign_up(event_id=full.pk, user=MemberProfileFactory().user)
    booking.sign_up(event_id=event.pk, user=member.user)
    booking.sign_up(event_id=full.pk, user=member.user)

    first, rows = rows_rendered(client)
    again, rows_again = rows_rendered(client)
    assert (first, again) == (2, 0)
    assert rows_again == rows
    # Newest event first: her place in the reading club's line, then her seat at the salon.
    assert "读书会" in rows[0] and zh("number %(n)s in line", n=1) in rows[0]
    assert "产业沙龙" in rows[1] and zh("Ticket") in rows[1]

    event.title = "产业资源沙龙"
    event.save()
    rendered_now, rows = rows_rendered(client)
    assert rendered_now == 1 and "产业资源沙龙" in rows[1]

    # The seat frees up: she moves from the line to a confirmed seat.
    other = full.registrations.get(status="confirmed")
    booking.cancel(registration=other, user=other.user)
    rendered_now, rows = rows_rendered(client)
    assert rendered_now == 1 and zh("Ticket") in rows[0] and zh("number %(n)s in line", n=1) not in rows[0]


def test_her_row_stops_offering_to_cancel_once_the_deadline_passes(client):
    member = MemberProfileFactory()
    client.force_login(member.user)
    event = EventFactory(title="产业沙龙", starts_at=timezone.now() + timedelta(days=3))
    booking.sign_up(event_id=event.pk, user=member.user)
    _, (row,) = rows_rendered(client)
    assert zh("Cancel") in row

    with time_machine.travel(event.starts_at + timedelta(minutes=1)):
        rendered_now, (row,) = rows_rendered(client)
    assert rendered_now == 1 and zh("Cancel") not in row
