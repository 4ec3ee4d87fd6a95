"""Members a story features: asked through the outbox, named on the story's page only once she
consents, no longer the moment she withdraws, linked to the directory only where its rule lets
the reader find her; her answers are hers alone (another member's page answers 404)."""

import pytest
from django.urls import reverse

from members.models import Consent, Status
from members.story_feature_models import StoryFeature, StoryFeatureStatus
from members.story_features import (
    StoryFeatureError,
    story_feature_ask,
    story_feature_consent,
    story_feature_decline,
)
from tests.core.story_helpers import story
from tests.factories import MemberProfileFactory
from tests.helpers import queries_for, zh
from xiangcheng.core import audit
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import deliver
from xiangcheng.core.roles import STORY_EDITOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(staff_in_group):
    return staff_in_group("xuanchuan", STORY_EDITOR.name)


@pytest.fixture
def she():
    return MemberProfileFactory(real_name="林晓雯", user__username="linxiaowen").user


def people(client, shown) -> list[tuple[str, str]]:
    """The names the story's page gives, each with its directory link ("" for none)."""
    response = client.get(reverse("stories:detail", args=[shown.pk]))
    assert response.status_code == 200
    section = next((s for s in response.context["sections"] if s.key == "featured_members"), None)
    return [(p.name, p.directory_url) for p in section.context["people"]] if section else []


def test_asking_her_writes_one_notice_that_links_to_her_answer(she, editor, outbox):
    shown = story("把成果带进车间")
    feature = story_feature_ask(story=shown, member=she, actor=editor)

    notice = Notice.objects.get()
    assert (notice.kind, notice.key, notice.recipient, notice.target_id) == (
        "members.story_feature_asked", f"members.story_feature_asked:{feature.pk}", she, feature.pk)
    assert deliver(notice_id=notice.pk) is True
    notice.refresh_from_db()
    assert notice.url == reverse("members:story_feature", args=[feature.pk])
    assert len(outbox) == 1 and "把成果带进车间" in outbox[0].body
    assert outbox[0].to == [she.email]
    with pytest.raises(StoryFeatureError):
        story_feature_ask(story=shown, member=she, actor=editor)
    assert StoryFeature.objects.count() == 1


def test_a_notice_she_answered_before_it_went_out_is_skipped(she, outbox):
    feature = story_feature_ask(story=story(), member=she)
    story_feature_decline(feature_id=feature.pk, member=she)
    notice = Notice.objects.get()
    deliver(notice_id=notice.pk)
    notice.refresh_from_db()
    assert (notice.state, len(outbox)) == (Notice.State.SKIPPED, 0)


def test_only_approved_members_are_asked():
    pending = MemberProfileFactory(status=Status.PENDING).user
    with pytest.raises(StoryFeatureError):
        story_feature_ask(story=story(), member=pending)
    assert StoryFeature.objects.count() == 0


def test_she_is_named_only_after_she_consents_and_no_longer_the_moment_she_withdraws(client, she):
    shown = story()
    feature = story_feature_ask(story=shown, member=she)
    assert people(client, shown) == []

    client.force_login(she)
    page = client.get(reverse("members:story_feature", args=[feature.pk]))
    assert page.status_code == 200 and "她的科创故事" in page.content.decode()
    client.post(reverse("members:story_feature_answer", args=[feature.pk]), {"answer": "consent"})
    client.logout()

    feature.refresh_from_db()
    consent = feature.consent
    assert (feature.status, consent.user, consent.kind, consent.withdrawn_at) == (
        StoryFeatureStatus.CONSENTED, she, Consent.Kind.STORY_FEATURE, None)
    assert people(client, shown) == [("林晓雯", "")]

    client.force_login(she)
    confirm = client.get(reverse("members:story_feature_withdraw", args=[feature.pk]))
    assert confirm.status_code == 200
    assert people(client, shown) == [("林晓雯", reverse("members:directory") + "?q=%E6%9E%97%E6%99%93%E9%9B%AF")]
    client.post(reverse("members:story_feature_withdraw", args=[feature.pk]))

    feature.refresh_from_db()
    consent.refresh_from_db()
    assert feature.status == StoryFeatureStatus.WITHDRAWN
    assert consent.withdrawn_at is not None
    assert people(client, shown) == []
    client.logout()
    assert people(client, shown) == []
    assert [(e.label, e.actor_id) for e in audit.history(feature)] == [
        ("created", None), ("consented", she.pk), ("withdrawn", she.pk)]


def test_declining_keeps_her_off_the_page_and_records_no_consent(client, she):
    shown = story()
    feature = story_feature_ask(story=shown, member=she)
    client.force_login(she)
    client.post(reverse("members:story_feature_answer", args=[feature.pk]), {"answer": "decline"})
    feature.refresh_from_db()
    assert (feature.status, feature.consent, Consent.objects.filter(kind="story_feature").count()) == (
        StoryFeatureStatus.DECLINED, None, 0)
    assert people(client, shown) == []
    # A wrong answer changes nothing and says so.
    client.post(reverse("members:story_feature_answer", args=[feature.pk]), {"answer": "maybe"})
    feature.refresh_from_db()
    assert feature.status == StoryFeatureStatus.DECLINED


def test_another_members_answer_page_answers_404(client, she):
    feature = story_feature_ask(story=story(), member=she)
    other = MemberProfileFactory().user
    client.force_login(other)
    for name in ("members:story_feature", "members:story_feature_withdraw"):
        assert client.get(reverse(name, args=[feature.pk])).status_code == 404
    assert client.post(reverse("members:story_feature_answer", args=[feature.pk]),
                       {"answer": "consent"}).status_code == 404
    feature.refresh_from_db()
    assert feature.status == StoryFeatureStatus.ASKED
    client.logout()
    assert client.get(reverse("members:story_feature", args=[feature.pk])).status_code == 302  # to log in


def test_the_link_to_her_profile_follows_the_directory_rule(client, she):
    shown = story()
    feature = story_feature_ask(story=shown, member=she)
    story_feature_consent(feature_id=feature.pk, member=she)
    link = reverse("members:directory") + "?q=%E6%9E%97%E6%99%93%E9%9B%AF"

    assert people(client, shown) == [("林晓雯", "")]  # a visitor may not open the directory
    client.force_login(MemberProfileFactory(status=Status.PENDING).user)
    assert people(client, shown) == [("林晓雯", "")]  # nor a member not yet approved
    client.force_login(MemberProfileFactory().user)
    assert people(client, shown) == [("林晓雯", link)]
    she.profile.listed_in_directory = False
    she.profile.save()
    assert people(client, shown) == [("林晓雯", "")]  # she is not listed: named, not linked
    she.is_active = False
    she.save()
    assert people(client, shown) == []  # her account is closed


def test_the_story_page_keeps_its_queries_however_many_members_it_names(client):
    shown = story()
    viewer = MemberProfileFactory().user
    client.force_login(viewer)

    def feature(n: int) -> None:
        member = MemberProfileFactory().user
        made = story_feature_ask(story=shown, member=member)
        story_feature_consent(feature_id=made.pk, member=member)

    feature(0)
    at_one = queries_for(client, reverse("stories:detail", args=[shown.pk]))
    for n in range(1, 10):
        feature(n)
    assert queries_for(client, reverse("stories:detail", args=[shown.pk])) == at_one
    assert len(people(client, shown)) == 10


def test_staff_ask_her_from_the_storys_admin_page_by_her_login(client, she, editor):
    shown = story()
    client.force_login(editor)
    url = reverse("admin:core_story_change", args=[shown.pk])
    data = {"title": shown.title, "programme": shown.programme_id, "summary": shown.summary, "body": shown.body,
            "tags": "", "features-TOTAL_FORMS": "1", "features-INITIAL_FORMS": "0", "features-MIN_NUM_FORMS": "0",
            "features-MAX_NUM_FORMS": "1000", "features-0-id": "", "features-0-story": str(shown.pk)}

    refused = client.post(url, {**data, "features-0-login": "nobody@example.cn"})
    assert refused.status_code == 200
    assert StoryFeature.objects.count() == 0
    assert "nobody@example.cn" in refused.content.decode()  # her input is kept

    assert client.post(url, {**data, "features-0-login": she.email.upper()}).status_code == 302
    feature = StoryFeature.objects.get()
    assert (feature.story, feature.member, feature.status) == (shown, she, StoryFeatureStatus.ASKED)
    assert Notice.objects.get().recipient == she
    page = client.get(url).content.decode()
    assert "林晓雯" in page and she.email not in page  # staff see her name, never her contacts


def test_asking_the_same_member_twice_from_admin_is_a_form_error_not_a_crash(client, she, editor):
    shown = story()
    story_feature_ask(story=shown, member=she)
    client.force_login(editor)
    url = reverse("admin:core_story_change", args=[shown.pk])
    feature = StoryFeature.objects.get()
    data = {"title": shown.title, "programme": shown.programme_id, "summary": shown.summary, "body": shown.body,
            "tags": "", "features-TOTAL_FORMS": "2", "features-INITIAL_FORMS": "1", "features-MIN_NUM_FORMS": "0",
            "features-MAX_NUM_FORMS": "1000", "features-0-id": str(feature.pk), "features-0-story": str(shown.pk),
            "features-0-login": "", "features-1-id": "", "features-1-story": str(shown.pk),
            "features-1-login": she.email}

    response = client.post(url, data)

    assert response.status_code == 200
    assert [str(e) for e in response.context["inline_admin_formsets"][0].formset.non_form_errors()] == [
        zh("She has already been asked about this story.")]
    assert StoryFeature.objects.count() == 1 and Notice.objects.count() == 1
