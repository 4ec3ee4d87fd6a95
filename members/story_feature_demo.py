"""Demo for stories: the 宣传编辑 login, 林晓雯 named (she consented) in the first demo story, and
周怡然 asked about the 科企会客厅 story (her answer waits on /members/stories/). Idempotent."""

from django.db import transaction

from xiangcheng.core.demo import DemoLoaded
from xiangcheng.core.roles import STORY_EDITOR
from xiangcheng.core.story_demo import STORIES
from xiangcheng.core.story_models import Story

from .demo import demo_staff
from .models import User
from .story_feature_models import StoryFeature
from .story_features import story_feature_ask, story_feature_consent

EDITOR = {"username": "xuanchuan", "email": "xuanchuan@demo.xcwomenstech.cn"}
# (member's username, story title, consents)
FEATURES = [("linxiaowen", STORIES[0][0], True), ("zhouyiran", STORIES[2][0], False)]


@transaction.atomic
def demo_load() -> DemoLoaded:
    editor = demo_staff(username=EDITOR["username"], email=EDITOR["email"], roles=[STORY_EDITOR.name])
    for username, title, consents in FEATURES:
        member = User.objects.filter(username=username).first()
        story = Story.objects.filter(title=title).first()
        if member is None or story is None or StoryFeature.objects.filter(story=story, member=member).exists():
            continue
        feature = story_feature_ask(story=story, member=member, actor=editor)
        if consents:
            story_feature_consent(feature_id=feature.pk, member=member)
    return DemoLoaded(logins=[(EDITOR["email"], "stories editor")])
