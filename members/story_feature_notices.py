"""What a member is told when a story would like to name her: a kind of the kernel's outbox."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import Message, notice_kind, notify

from .story_feature_models import StoryFeature, StoryFeatureStatus


def _compose(notice: Notice) -> Message:
    feature = notice.target
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("May an alliance story name you?")
        body = render_to_string("members/email/story_feature_asked.txt", {
            "feature": feature, "story": feature.story,
            "url": settings.SITE_URL.rstrip("/") + reverse("members:story_feature", args=[feature.pk])})
    return Message(subject=subject, body=body, url=reverse("members:story_feature", args=[feature.pk]))


def _applies(notice: Notice) -> bool:
    # She answered before it was sent (or the row is gone): nothing to ask any more.
    return notice.target is not None and notice.target.status == StoryFeatureStatus.ASKED


ASKED = notice_kind("members.story_feature_asked", label=_("Stories: asked to be featured"), compose=_compose,
                    applies=_applies, permission="members.view_storyfeature",
                    targets=lambda: StoryFeature.objects.select_related("story"))


def notify_asked(*, feature: StoryFeature) -> int:
    """Ask her once per feature row; sent after commit."""
    return notify(kind=ASKED, recipient=feature.member, key=str(feature.pk), target=feature)[0]
