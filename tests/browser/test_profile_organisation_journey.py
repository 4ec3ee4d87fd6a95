"""A member's verified organisation on her directory card and her own profile, on a phone."""

from playwright.sync_api import Page, expect

from members.models import OrganisationStatus, Status
from tests.factories import MemberProfileFactory
from tests.members.organisation_factories import organisation_with

from .ui import log_in, screenshot, t


def test_her_verified_organisation_shows_on_her_card_and_her_profile(page: Page, new_page, transactional_db):
    member = MemberProfileFactory(real_name="沈知微", organisation="苏州相城新材料有限公司", job_title="研发总监",
                                  bio="专注功能薄膜与柔性电子材料的研发与产业化。")
    organisation_with(member.user, name="苏州相城新材料有限公司", status=OrganisationStatus.VERIFIED,
                      women_led="founder", women_led_confirmed=True)
    organisation_with(member.user, name="苏州待审科技有限公司")  # pending: shown nowhere
    viewer = MemberProfileFactory(status=Status.APPROVED, listed_in_directory=False)

    page.goto("/accounts/login/")
    log_in(page, viewer.user.email)
    page.goto("/members/directory/")
    card = page.locator(".member-card").filter(has_text="沈知微")
    mark = card.locator(".verified-org")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text("苏州相城新材料有限公司")
    expect(mark).to_contain_text(t("Verified organisation"))
    expect(mark).to_contain_text(t("Founded by a woman"))
    expect(page.get_by_text("苏州待审科技有限公司")).to_have_count(0)
    screenshot(page, "directory-verified-organisation")

    own = new_page()
    own.goto("/accounts/login/")
    log_in(own, member.user.email)
    own.goto("/members/profile/")
    expect(own.locator(".profile-orgs .verified-org")).to_have_count(1)
    expect(own.locator(".profile-orgs")).to_contain_text("苏州相城新材料有限公司")
    expect(own.get_by_text("苏州待审科技有限公司")).to_have_count(0)
    screenshot(own, "profile-verified-organisation")
