"""Stories in admin: the 宣传编辑 role may write, publish and unpublish stories and nothing else;
the form sanitizes the text and passes the cover through the file gate; every change is audited."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.images import encode
from xiangcheng.core import audit
from xiangcheng.core.roles import ADMINISTRATOR, STORY_EDITOR
from xiangcheng.core.stories import StoryError, story_publish, story_unpublish
from xiangcheng.core.story_models import Story, StoryStatus

from .story_helpers import story

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(staff_in_group):
    return staff_in_group("xuanchuan", STORY_EDITOR.name)


def form_data(**changes) -> dict:
    from xiangcheng.core.models import Programme

    data = {"title": "把成果带进车间", "programme": Programme.objects.get(slug="create").pk,
            "summary": "一位材料工程师的五年。", "body": "<p>正文</p>", "tags": "新材料，成果转化",
            # The members app's inline (no row added).
            "features-TOTAL_FORMS": "0", "features-INITIAL_FORMS": "0", "features-MIN_NUM_FORMS": "0",
            "features-MAX_NUM_FORMS": "1000"}
    return {**data, **changes}


def test_the_role_holds_exactly_the_story_permissions():
    held = set(Group.objects.get(name=STORY_EDITOR.name).permissions.values_list("content_type__app_label", "codename"))
    assert held == {("core", "view_story"), ("core", "add_story"), ("core", "change_story"), ("core", "delete_story"),
                    ("members", "view_storyfeature"), ("members", "add_storyfeature"),
                    ("members", "change_storyfeature"), ("members", "delete_storyfeature"),
                    ("core", "view_notice"), ("core", "change_notice")}
    assert ("core", "view_story") in ADMINISTRATOR.permissions


def test_an_editor_writes_a_draft_whose_text_is_sanitized(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:core_story_add"), form_data(
        body='<p onclick="x()">她说<script>alert(1)</script></p><iframe src="https://evil.example/"></iframe>',
        title="把成果带进\u202e车间"))

    assert response.status_code == 302
    saved = Story.objects.get()
    assert (saved.title, saved.body, saved.tags, saved.status, saved.published_at, saved.author) == (
        "把成果带进车间", "<p>她说</p>", ["新材料", "成果转化"], StoryStatus.DRAFT, None, editor)
    assert saved.programme.slug == "create"
    assert [e.label for e in audit.history(saved)] == ["created"]


def test_bad_input_is_refused_with_the_form_kept(client, editor):
    client.force_login(editor)
    response = client.post(reverse("admin:core_story_add"), form_data(
        body="<script>alert(1)</script>", tags="1 2 3 4 5 6 7 8 9", title="保留的标题"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"body", "tags"}
    assert response.context["adminform"].form["title"].value() == "保留的标题"
    assert Story.objects.count() == 0


def test_the_cover_passes_the_file_gate(client, editor, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    client.force_login(editor)
    svg = SimpleUploadedFile("cover.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    refused = client.post(reverse("admin:core_story_add"), {**form_data(), "cover": svg})
    assert refused.status_code == 200
    assert list(refused.context["adminform"].form.errors) == ["cover"]

    png = SimpleUploadedFile("cover.png", encode(Image.new("RGB", (3200, 1800), "teal"), "PNG"), "image/png")
    assert client.post(reverse("admin:core_story_add"), {**form_data(), "cover": png}).status_code == 302
    saved = Story.objects.get()
    assert saved.cover.name.startswith("stories/") and saved.cover.name.endswith(".jpg")
    with Image.open(saved.cover.path) as cover, Image.open(saved.cover_thumb.path) as thumb:
        assert (cover.format, cover.size, thumb.size) == ("JPEG", (1600, 900), (480, 270))


def test_publish_and_unpublish_are_actions_recorded_in_the_trail(client, editor):
    draft = story("要发布的故事", published=False)
    client.force_login(editor)
    changelist = reverse("admin:core_story_changelist")

    client.post(changelist, {"action": "publish_stories", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == StoryStatus.PUBLISHED and draft.published_at is not None
    first_published = draft.published_at
    assert client.get(reverse("stories:detail", args=[draft.pk])).status_code == 200

    client.post(changelist, {"action": "unpublish_stories", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == StoryStatus.DRAFT
    client.logout()
    assert client.get(reverse("stories:detail", args=[draft.pk])).status_code == 404

    story_publish(story=draft)
    draft.refresh_from_db()
    assert draft.published_at == first_published  # published again: the first date stands
    labels = [(e.label, e.actor_id) for e in audit.history(draft)]
    assert labels == [("created", None), ("published", editor.pk), ("draft", editor.pk), ("published", None)]


def test_publishing_twice_or_unpublishing_a_draft_is_refused():
    published = story("已发布")
    with pytest.raises(StoryError):
        story_publish(story=published)
    draft = story("草稿", published=False)
    with pytest.raises(StoryError):
        story_unpublish(story=draft)


def test_the_change_page_links_to_the_preview_and_other_staff_cannot_open_it(client, editor, staff_in_group):
    draft = story("预览的故事", published=False)
    url = reverse("admin:core_story_change", args=[draft.pk])
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert f'href="{reverse("stories:detail", args=[draft.pk])}"' in page

    client.force_login(staff_in_group("shenhe", "审核员"))
    assert client.get(url).status_code == 403
    assert client.get(reverse("admin:core_story_changelist")).status_code == 403
