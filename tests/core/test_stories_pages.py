"""Stories' public pages: the list (pagination, programme and tag filters, constant queries), a
story (drafts 404 but for staff's preview), the Atom feed, and the home and programme sections."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import queries_for, renders_of
from xiangcheng.core.models import Programme
from xiangcheng.core.stories import TOLD_TEMPLATE
from xiangcheng.core.story_models import Story
from xiangcheng.core.story_views import FEED_ITEMS, STORIES_PAGE_SIZE

from .story_helpers import stories, story

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def titles(response) -> list[str]:
    return [s.title for s in response.context["page"]]


def test_the_list_shows_published_stories_newest_first_a_page_at_a_time(client):
    stories(STORIES_PAGE_SIZE + 3)
    story("草稿不公开", published=False)

    first = client.get(reverse("stories:list"))
    second = client.get(reverse("stories:list"), {"page": 2})

    assert first.status_code == 200
    assert titles(first) == [f"故事{n}" for n in range(STORIES_PAGE_SIZE)]
    assert titles(second) == [f"故事{n}" for n in range(STORIES_PAGE_SIZE, STORIES_PAGE_SIZE + 3)]
    assert "草稿不公开" not in first.content.decode() + second.content.decode()
    # A page number out of range or not a number shows a page, never an error.
    assert titles(client.get(reverse("stories:list"), {"page": "abc"})) == titles(first)
    assert titles(client.get(reverse("stories:list"), {"page": 99})) == titles(second)


def test_the_list_filters_by_programme_and_by_tag(client):
    story("数字化培训结业", programme="create", tags=["数字化", "培训"])
    story("科企会客厅", programme="link", tags=["成果转化"])
    story("车联网客户", programme="link", tags=["车联网", "数字化"])

    assert titles(client.get(reverse("stories:list"), {"programme": "link"})) == ["车联网客户", "科企会客厅"]
    assert titles(client.get(reverse("stories:list"), {"tag": "数字化"})) == ["车联网客户", "数字化培训结业"]
    assert titles(client.get(reverse("stories:list"), {"tag": "数字化", "programme": "link"})) == ["车联网客户"]
    assert titles(client.get(reverse("stories:list"), {"tag": "没有的标签"})) == []
    # An unknown programme is no filter at all (and no error); pagination keeps the filters.
    assert len(titles(client.get(reverse("stories:list"), {"programme": "nope"}))) == 3
    assert client.get(reverse("stories:list"), {"tag": "数字化"}).context["query"] == "tag=%E6%95%B0%E5%AD%97%E5%8C%96"


@pytest.mark.parametrize("params", [{}, {"programme": "create"}, {"tag": "数字化"}])
def test_the_list_makes_as_many_queries_for_5_stories_as_for_50(client, params):
    stories(5)
    at_five = queries_for(client, reverse("stories:list"), params)
    stories(45)
    assert queries_for(client, reverse("stories:list"), params) == at_five


def test_a_published_story_shows_its_sanitized_text_and_tags(client):
    shown = story("把成果带进车间", tags=["新材料"], body='<p>她说<script>alert(1)</script><a href="https://example.cn/">链接</a></p>')

    response = client.get(reverse("stories:detail", args=[shown.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<p>她说<a href="https://example.cn/" rel="noopener noreferrer nofollow">链接</a></p>' in html
    assert "alert(1)" not in html
    assert f'href="{reverse("stories:list")}?tag=%E6%96%B0%E6%9D%90%E6%96%99"' in html


def test_a_storys_page_is_rendered_once_and_each_change_shows_at_once(client):
    shown = story("把成果带进车间", body="<p>第一版</p>")
    url = reverse("stories:detail", args=[shown.pk])

    assert renders_of(client, url, TOLD_TEMPLATE)[0] == 1
    count, page = renders_of(client, url, TOLD_TEMPLATE)
    assert count == 0 and "<p>第一版</p>" in page and "把成果带进车间" in page

    # Each field the page shows is a new version, however it was changed (an update keeps no timestamp).
    for change, shows in ((dict(title="车间里的新材料"), "车间里的新材料"), (dict(summary="新的摘要"), "新的摘要"),
                          (dict(body="<p>第二版</p>"), "<p>第二版</p>"),
                          (dict(published_at=timezone.now() - timedelta(days=400)), (timezone.localdate() - timedelta(days=400)).isoformat())):
        Story.objects.filter(pk=shown.pk).update(**change)
        count, page = renders_of(client, url, TOLD_TEMPLATE)
        assert (count, shows in page) == (1, True), change
    Programme.objects.filter(pk=shown.programme_id).update(name="相创她数智·新")
    count, page = renders_of(client, url, TOLD_TEMPLATE)
    assert (count, "相创她数智·新" in page) == (1, True)


def test_a_draft_answers_404_to_the_public_and_to_members_but_staff_may_preview_it(client, staff_in_group):
    from tests.factories import MemberProfileFactory
    from xiangcheng.core.roles import STORY_EDITOR

    draft = story("尚未发布", published=False)
    url = reverse("stories:detail", args=[draft.pk])

    assert client.get(url).status_code == 404
    client.force_login(MemberProfileFactory().user)
    assert client.get(url).status_code == 404
    client.force_login(staff_in_group("clerk"))  # staff, but not allowed to see stories
    assert client.get(url).status_code == 404
    client.force_login(staff_in_group("xuanchuan", STORY_EDITOR.name))
    preview = client.get(url)
    assert preview.status_code == 200
    assert "尚未发布" in preview.content.decode()
    assert client.get(reverse("stories:detail", args=[draft.pk + 1000])).status_code == 404


def test_the_feed_is_atom_with_the_latest_published_stories(client):
    stories(FEED_ITEMS + 2, tags=("数字化", "培训"))
    story("草稿", published=False)

    response = client.get(reverse("stories:feed"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - the portal's own response
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == FEED_ITEMS
    assert [e.findtext(f"{ATOM}title") for e in entries[:2]] == ["故事0", "故事1"]
    first = entries[0]
    assert first.findtext(f"{ATOM}summary") == "摘要0"
    assert first.find(f"{ATOM}link").get("href").endswith(reverse("stories:detail", args=[int(
        first.find(f"{ATOM}link").get("href").rstrip("/").rsplit("/", 1)[1])]))
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["数字化", "培训"]
    assert "草稿" not in response.content.decode()


def test_the_feed_makes_as_many_queries_for_5_stories_as_for_50(client):
    stories(5)
    at_five = queries_for(client, reverse("stories:feed"))
    stories(45)
    assert queries_for(client, reverse("stories:feed")) == at_five


def test_home_shows_the_latest_three_and_each_programme_its_own(client):
    older = story("链接的故事", programme="link")
    Story.objects.filter(pk=older.pk).update(published_at=timezone.now() - timedelta(days=1))
    stories(4, programme="create")

    home = client.get(reverse("home"))
    link_page = client.get(reverse("programmes:detail", args=["link"]))
    gather_page = client.get(reverse("programmes:detail", args=["gather"]))

    home_section = next(s for s in home.context["sections"] if s.key == "stories")
    assert [s.title for s in home_section.context["stories"]] == ["故事0", "故事1", "故事2"]
    link_section = next(s for s in link_page.context["sections"] if s.key == "stories")
    assert [s.title for s in link_section.context["stories"]] == ["链接的故事"]
    assert "stories" not in [s.key for s in gather_page.context["sections"]]


def test_home_and_programme_pages_keep_their_queries_however_many_stories(client):
    stories(5)
    urls = [reverse("home"), reverse("programmes:detail", args=["create"])]
    at_five = [queries_for(client, url) for url in urls]
    stories(45)
    assert [queries_for(client, url) for url in urls] == at_five
