"""Calls, the review side, in a real Chromium at 375 px: a member ticks the kinds of call she
follows; a 申报评审 reviewer refuses an application with a reason on the action's own page."""

import pytest
from playwright.sync_api import Page, expect

from services.call_follow_forms import CallFollowForm
from services.models import CallApplication, CallApplicationStatus, CallFollow, CallKind
from tests.factories import MemberProfileFactory
from tests.services.call_review_support import application, call, reviewer

from .ui import admin_action, admin_log_in, log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_she_follows_kinds_of_call_from_her_phone(page: Page):
    member = MemberProfileFactory(real_name="林晓雯").user
    page.goto("/calls/following/")
    page.wait_for_url("**/accounts/login/**")
    log_in(page, member.email)
    page.wait_for_url("**/calls/following/")
    with_labels = dict(CallFollowForm().fields["kinds"].choices)
    page.get_by_label(str(with_labels[CallKind.TALENT]), exact=True).check()
    page.get_by_label(str(with_labels[CallKind.CONTEST]), exact=True).check()
    page.get_by_role("button", name=t("Save")).click()
    expect(page.get_by_text(t("Saved. We will email you when a call of these kinds or fields opens."))).to_be_visible()
    screenshot(page, "calls-following")
    assert set(CallFollow.objects.filter(member=member).values_list("kind", flat=True)) == {"talent", "contest"}


def test_the_reviewer_refuses_with_a_reason(page: Page, outbox):
    staff = reviewer()
    mine = application(call(), member=MemberProfileFactory(real_name="周雨桐").user)
    admin_log_in(page, staff.username)
    admin_action(page, CallApplication, str(mine), "refuse")
    page.get_by_label(t("Reason (sent to the applicant)")).fill("代表性成果不足，建议明年再申报。")
    screenshot(page, "calls-review-refuse")
    page.get_by_role("button", name=t("Did not pass first review")).click()
    page.wait_for_url("**/admin/services/callapplication/")
    mine.refresh_from_db()
    assert (mine.status, mine.reason) == (CallApplicationStatus.NOT_SHORTLISTED, "代表性成果不足，建议明年再申报。")
    assert CallApplication.objects.count() == 1
