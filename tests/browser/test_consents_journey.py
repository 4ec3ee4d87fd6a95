"""我的授权 in a real Chromium at 375 px: she opens her consents from the menu, sees each with its
version and time, withdraws her contacts from an organisation on the confirmation page, and the
item is gone."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from events import booking
from matching.models import Purpose
from members.consents import consent_grant
from members.models import Consent
from services import responses
from services.models import RequestResponse
from tests.events.factories import EventFactory
from tests.factories import MemberProfileFactory
from tests.matching.helpers import opted_in
from tests.services.request_support import organisation, published, representative

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_reviews_her_consents_and_withdraws_one(page: Page):
    member = MemberProfileFactory(real_name="林晓雯").user
    consent_grant(user=member, kind=Consent.Kind.PRIVACY_POLICY)
    consent_grant(user=member, kind=Consent.Kind.DIRECTORY)
    opted_in(member, purposes=[Purpose.NETWORKING, Purpose.FRIENDSHIP])
    org = organisation(name="苏州相城薄膜新材料有限公司")
    answer = responses.response_create(service_request=published(org, author=representative(org, username="hr"),
                                                                  title="薄膜表征合作"),
                                       member=member, message="我有相关经验。", share_email=True)
    event = EventFactory(title="周末亲子科普沙龙", childcare_offered=True, childcare_places=4,
                         starts_at=(timezone.now() + timedelta(days=12)).replace(microsecond=0))
    booking.sign_up(event_id=event.pk, user=member, children_ages=[4, 7], children_consent=True)

    page.goto("/accounts/login/")
    log_in(page, member.email)
    page.wait_for_url("**/members/profile/")
    page.locator("summary").first.click()
    page.get_by_role("navigation").get_by_role("link", name=t("我的授权 · My consents")).click()
    page.wait_for_url("**/members/consents/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("我的授权 · My consents"))
    expect(page.locator(".consent")).to_have_count(6)
    expect(page.get_by_role("link", name=t("Withdraw"))).to_have_count(5)
    screenshot(page, "consents")

    page.locator(f"#consent-organisations-response-{answer.pk}").get_by_role("link", name=t("Withdraw")).click()
    page.wait_for_url(f"**/members/consents/organisations/response-{answer.pk}/withdraw/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Withdraw this consent?"))
    screenshot(page, "consent-withdraw")
    page.get_by_role("button", name=t("Yes, withdraw it")).click()
    page.wait_for_url("**/members/consents/")
    expect(page.locator(".consent")).to_have_count(5)
    answer.refresh_from_db()
    assert (answer.share_email, answer.share_phone) == (False, False)
    assert RequestResponse.objects.count() == 1
