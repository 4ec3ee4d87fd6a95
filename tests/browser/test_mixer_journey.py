"""遇见 联谊活动 at 375 px: a 交友 participant finds both mixers on the event list, marked with their
circle, and signs up for the 交友 one; a member outside 遇见 sees neither and gets 404 at its address."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events.models import Registration, RegistrationStatus
from matching.audiences import FRIENDSHIP_CIRCLE, PARTICIPANTS
from matching.models import Purpose
from tests.events.factories import EventFactory, VenueFactory
from tests.factories import MemberProfileFactory
from tests.matching.helpers import opted_in

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_friendship_participant_finds_and_books_her_mixer_and_an_outsider_does_not(page: Page, new_page):
    venue = VenueFactory(name="LADIES 聚力空间", address="苏州市相城区北河泾街道新时代文明实践所")
    soon = (timezone.now() + timedelta(days=6)).replace(microsecond=0)
    EventFactory(title="产业资源对接沙龙", venue=venue, starts_at=soon)
    EventFactory(title="遇见·行业交流下午茶", venue=venue, starts_at=soon + timedelta(days=1), audience=PARTICIPANTS)
    hike = EventFactory(title="遇见·太湖边徒步联谊", venue=venue, starts_at=soon + timedelta(days=2),
                        audience=FRIENDSHIP_CIRCLE, capacity=20)
    sun = MemberProfileFactory(real_name="孙悦").user
    opted_in(sun, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    plain = MemberProfileFactory(real_name="林晓雯").user

    page.goto("/accounts/login/?next=/events/")
    log_in(page, sun.email)
    page.wait_for_url("**/events/")
    cards = page.locator("li.event-card")
    expect(cards).to_have_count(3)
    card = cards.filter(has_text=hike.title)
    expect(card).to_contain_text(t("Only for %(audience)s") % {"audience": t("交友 circle members")})
    screenshot(page, "meet-mixer")
    card.get_by_role("link").click()
    page.wait_for_url(f"**/events/{hike.pk}/")
    expect(page.locator("dl.facts")).to_contain_text(t("交友 circle members"))
    screenshot(page, "meet-mixer-detail")
    page.get_by_role("button", name=t("Sign up")).click()
    expect(page.get_by_text(t("You are signed up. A confirmation is on its way."))).to_be_visible()
    assert list(Registration.objects.filter(user=sun).values_list("event", "status")) == [
        (hike.pk, RegistrationStatus.CONFIRMED)]

    other = new_page()
    other.goto("/accounts/login/?next=/events/")
    log_in(other, plain.email)
    other.wait_for_url("**/events/")
    expect(other.locator("li.event-card")).to_have_count(1)
    expect(other.locator("li.event-card")).to_contain_text("产业资源对接沙龙")
    response = other.goto(f"/events/{hike.pk}/")
    assert response is not None and response.status == 404
