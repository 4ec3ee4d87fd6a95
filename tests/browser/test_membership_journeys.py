"""The foundation issue's journeys, in a real Chromium at 375 px.

1. Join with an email address, confirm it from the email, fill the profile with a photo and
   wait for approval; a reviewer approves her in the admin; she logs back in and finds another
   member in the directory.
2. Join with a mainland mobile number and the code from the SMS.
"""

import re

import pytest
from allauth.account.forms import SignupForm
from allauth.account.models import EmailAddress
from django.contrib.sessions.backends.db import SessionStore
from django.utils import translation
from django.utils.html import strip_tags
from PIL import Image
from playwright.sync_api import Page, expect

from members.forms import DirectorySearchForm, ProfileForm
from members.models import (
    Category,
    City,
    Consent,
    Field,
    MemberProfile,
    Status,
    User,
    VisibleField,
)
from tests.factories import MemberProfileFactory
from tests.helpers import review_decisions
from xiangcheng.core.programmes import PROGRAMMES

from .ui import (
    UI_LANGUAGE,
    admin_action,
    admin_log_in,
    label,
    log_in,
    screenshot,
    t,
    tn,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Xiangcheng-2026-she"
CONFIRM_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")
SIX_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")


def sign_up_form(page: Page, *, email: str = "", phone: str = "") -> None:
    if email:
        page.get_by_label(label(SignupForm, "email")).fill(email)
    if phone:
        page.get_by_label(label(SignupForm, "phone")).fill(phone)
    page.get_by_label(label(SignupForm, "password1"), exact=True).fill(PASSWORD)
    page.get_by_label(label(SignupForm, "password2"), exact=True).fill(PASSWORD)
    privacy = page.get_by_role("checkbox", name=strip_tags(label(SignupForm, "accept_privacy")))
    expect(privacy).not_to_be_checked()  # consent is never pre-ticked
    privacy.check()


def logged_in_user_id(page: Page) -> str | None:
    """Whose session the browser holds, read from the session the server stored."""
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(session_key=cookie["value"]).get("_auth_user_id")


def test_email_member_joins_is_approved_and_finds_a_peer(
    page: Page, new_page, reviewer, outbox, tmp_path
):
    peer = MemberProfileFactory(real_name="顾晓岚", organisation="苏州纳米材料实验室")
    photo = tmp_path / "me.jpg"
    Image.new("RGB", (320, 240), (194, 24, 91)).save(photo, format="JPEG")
    email = "su.ruolan@example.cn"

    # The front door, then 加入联盟.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    for name, *_ in PROGRAMMES:
        expect(page.get_by_text(name, exact=True)).to_be_visible()
    screenshot(page, "home")
    page.get_by_role("link", name=t("Join the alliance")).click()
    page.wait_for_url("**/accounts/signup/")

    sign_up_form(page, email=email)
    screenshot(page, "signup")
    page.get_by_role("button", name=t("Sign Up"), exact=True).click()
    page.wait_for_url("**/accounts/confirm-email/")
    user = User.objects.get(email=email)
    assert EmailAddress.objects.filter(user=user, email=email, verified=False).count() == 1
    assert list(Consent.objects.filter(user=user).values_list("kind", flat=True)) == [
        Consent.Kind.PRIVACY_POLICY
    ]

    # The confirmation email, opened in the same browser.
    assert [m.to for m in outbox] == [[email]]
    link = CONFIRM_LINK.search(outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name=t("Confirm"), exact=True).click()
    page.wait_for_url("**/members/profile/")
    assert EmailAddress.objects.get(user=user, email=email).verified is True
    assert logged_in_user_id(page) == str(user.pk)
    expect(page.locator(".status-draft")).to_be_visible()

    # Her profile, with a photo; saving it is her application.
    # Roles, not bare labels: the "what others may see" checkboxes repeat the field names.
    def textbox(name):
        return page.get_by_role("textbox", name=label(ProfileForm, name))

    def select(name):
        return page.get_by_role("combobox", name=label(ProfileForm, name))

    textbox("real_name").fill("苏若兰")
    select("category").select_option(Category.ENGINEER.value)
    textbox("organisation").fill("相城高新区智能网联汽车研究中心")
    textbox("job_title").fill("高级工程师")
    select("field").select_option(Field.CONNECTED_VEHICLES.value)
    textbox("expertise").fill("车路协同、功能安全")
    select("city").select_option(City.SUZHOU.value)
    textbox("bio").fill("从事智能网联汽车测试验证工作。")
    page.locator("input[type=file]").and_(
        page.get_by_label(label(ProfileForm, "avatar_upload"))
    ).set_input_files(photo)
    page.get_by_role("checkbox", name=label(ProfileForm, "listed_in_directory")).check()
    shown = page.get_by_role("group", name=label(ProfileForm, "visible_fields"))
    for choice in (VisibleField.ORGANISATION, VisibleField.FIELD, VisibleField.AVATAR):
        shown.get_by_role("checkbox", name=t(choice.label), exact=True).check()
    page.get_by_role("button", name=t("Save and apply for membership")).click()
    page.wait_for_url("**/members/profile/")
    expect(page.locator(".status-pending")).to_be_visible()
    # The re-encoded 200 px thumbnail, served to her by the photo view (private, never /media/).
    expect(page.get_by_role("img", name=t("Current photo"))).to_have_js_property("naturalWidth", 200)
    expect(textbox("real_name")).to_have_value("苏若兰")
    screenshot(page, "profile")

    profile = MemberProfile.objects.get(user=user)
    assert profile.status == Status.PENDING
    assert profile.submitted_at is not None
    assert (profile.real_name, profile.category, profile.field, profile.city) == (
        "苏若兰", Category.ENGINEER, Field.CONNECTED_VEHICLES, City.SUZHOU
    )
    assert profile.expertise == ["车路协同", "功能安全"]
    assert profile.visible_fields == ["organisation", "field", "avatar"]
    assert profile.listed_in_directory is True
    assert profile.avatar.name.startswith("avatars/") and profile.avatar.name.endswith(".jpg")
    with Image.open(profile.avatar_thumb.path) as thumb:
        assert (thumb.format, thumb.size) == ("JPEG", (200, 150))
    assert sorted(Consent.objects.filter(user=user).values_list("kind", flat=True)) == [
        Consent.Kind.DIRECTORY, Consent.Kind.PRIVACY_POLICY
    ]

    # Not approved yet: the directory only shows her status.
    page.goto("/members/directory/")
    expect(page.locator(".status-pending")).to_be_visible()
    expect(page.get_by_text(peer.real_name)).to_have_count(0)

    # A reviewer (审核员) approves her in the admin.
    staff = new_page()
    admin_log_in(staff, reviewer.username)
    admin_action(staff, MemberProfile, "苏若兰", "approve")
    expect(staff.get_by_text(
        tn("%(n)d application approved.", "%(n)d applications approved.", 1)
    )).to_be_visible()
    screenshot(staff, "admin-approved")

    profile.refresh_from_db()
    assert profile.status == Status.APPROVED
    assert profile.reviewed_by == reviewer
    assert review_decisions(profile) == [
        (profile.pk, "approved", "", reviewer.pk)
    ]
    assert [m.to for m in outbox] == [[email], [email]]
    with translation.override(UI_LANGUAGE):
        assert outbox[1].subject == "[相城区女科技工作者联盟] " + translation.gettext(
            "Your membership is approved"
        )
    assert "苏若兰" in outbox[1].body

    # She logs back in (another device) and finds her peer by name.
    member = new_page()
    member.goto("/accounts/login/")
    log_in(member, email, PASSWORD)
    member.wait_for_url("**/members/profile/")
    expect(member.locator(".status-approved")).to_be_visible()
    member.get_by_role("link", name=t("Open the member directory")).click()
    member.wait_for_url("**/members/directory/")
    search = member.get_by_role("searchbox", name=label(DirectorySearchForm, "q"))
    search.fill(peer.real_name)
    member.get_by_role("button", name=t("Search"), exact=True).click()
    member.wait_for_url(re.compile(r"/members/directory/\?.*q="))
    results = member.get_by_role("listitem").filter(has_text=peer.real_name)
    expect(results).to_have_count(1)
    expect(results).to_contain_text(peer.organisation)
    expect(member.get_by_text("苏若兰")).to_have_count(0)
    screenshot(member, "directory")

    # She changes her mind about her photo: removed from her profile page, after a question.
    profile.refresh_from_db()
    photo_url = profile.avatar_thumb.url
    photo_files = [tmp_path / "private" / profile.avatar.name, tmp_path / "private" / profile.avatar_thumb.name]
    assert all(path.is_file() for path in photo_files)
    member.goto("/members/profile/")
    member.get_by_role("link", name=t("Remove photo")).click()
    member.wait_for_url("**/members/profile/photo/remove/")
    expect(member.get_by_role("heading", name=t("Remove your photo?"))).to_be_visible()
    screenshot(member, "photo-remove")
    member.get_by_role("button", name=t("Yes, remove it")).click()
    member.wait_for_url("**/members/profile/")
    expect(member.get_by_text(t("Your photo is removed."))).to_be_visible()
    expect(member.get_by_role("img", name=t("Current photo"))).to_have_count(0)
    expect(member.get_by_role("link", name=t("Remove photo"))).to_have_count(0)
    screenshot(member, "profile-photo-removed")
    profile.refresh_from_db()
    assert (profile.avatar.name, profile.avatar_thumb.name) == ("", "")
    assert [path.exists() for path in photo_files] == [False, False]
    assert member.request.get(photo_url).status == 404


def test_phone_member_joins_with_the_sms_code(page: Page, sms_outbox, outbox):
    phone = "13912345678"
    page.goto("/accounts/signup/")
    sign_up_form(page, phone=phone)
    page.get_by_role("button", name=t("Sign Up"), exact=True).click()
    page.wait_for_url("**/accounts/phone/verify/")

    user = User.objects.get(phone=phone)
    assert (user.email, user.phone_verified) == ("", False)
    assert [m.phone for m in sms_outbox] == [phone]
    code = SIX_DIGITS.findall(sms_outbox[0].text)
    assert len(code) == 1, sms_outbox[0].text
    screenshot(page, "verify-phone")

    page.get_by_label(t("Code"), exact=True).fill(code[0])
    page.get_by_role("button", name=t("Confirm"), exact=True).click()
    page.wait_for_url("**/members/profile/")
    expect(page.locator(".status-draft")).to_be_visible()

    user.refresh_from_db()
    assert user.phone_verified is True
    assert logged_in_user_id(page) == str(user.pk)
    assert outbox == []
