"""Stories (科创故事) in a real Chromium at 375 px: a visitor reads the list and filters it by tag,
a member agrees to be named in a story, and the story's page names her at once."""

import pytest
from playwright.sync_api import Page, expect

from members.story_features import story_feature_ask
from tests.core.story_helpers import story
from tests.factories import MemberProfileFactory

from .ui import log_in, screenshot, t

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BODY = ("<p>“做研究的人，最怕成果躺在抽屉里。”在联盟的科创沙龙上，她这样开场。</p>"
        "<h2>从一篇论文到一条产线</h2><p>五年前，她在高铁新城找到了第一家愿意试用新材料的企业。</p>"
        "<blockquote>企业的问题，就是我们下一篇论文的题目。</blockquote>"
        "<ul><li>早一点去车间</li><li>把专利写成企业看得懂的话</li></ul>"
        '<p>更多活动见<a href="https://www.example.cn/">联盟网站</a>。<script>alert(1)</script></p>')


def test_visitor_reads_and_filters_stories_and_a_member_consents_to_be_named(page: Page, new_page):
    story("儿童公益托管开放：周末的沙龙，妈妈们可以安心来了", programme="support", tags=["儿童托管"])
    story("在科企会客厅，她为车联网找到了第一位客户", programme="link", tags=["车联网", "科企会客厅"])
    story("数字化发展培训结业：二十位学员交出了自己的作品", tags=["数字化", "培训"])
    shown = story("把实验室的成果带进车间：一位材料工程师的五年", tags=["新材料", "成果转化"], body=BODY)
    she = MemberProfileFactory(real_name="林晓雯").user
    feature = story_feature_ask(story=shown, member=she)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # A visitor: the list, newest first, then a story and one of its tags.
    page.goto("/stories/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Stories"))
    expect(page.locator(".story-card")).to_have_count(4)
    expect(page.locator(".story-title").first).to_have_text(shown.title)
    screenshot(page, "stories-list")
    page.get_by_role("link", name=shown.title).click()
    page.wait_for_url(f"**/stories/{shown.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(shown.title)
    expect(page.locator(".story-body blockquote")).to_have_text("企业的问题，就是我们下一篇论文的题目。")
    expect(page.locator(".story-people")).to_have_count(0)  # not before she agrees
    page.locator(".story-tags").get_by_role("link", name="新材料").click()
    expect(page.locator(".story-card")).to_have_count(1)

    # She agrees on her page; the story names her at once.
    member = new_page()
    member.goto(f"/members/stories/{feature.pk}/")
    log_in(member, she.email)
    member.wait_for_url(f"**/members/stories/{feature.pk}/")
    member.get_by_role("button", name=t("I agree to be named")).click()
    expect(member.get_by_role("link", name=t("Withdraw my consent"))).to_be_visible()

    page.goto(f"/stories/{shown.pk}/")
    expect(page.locator(".story-people li")).to_have_text(["林晓雯"])
    expect(page.locator(".story-people a")).to_have_count(0)  # a visitor may not open the directory
    screenshot(page, "stories-detail")
    assert errors == []
