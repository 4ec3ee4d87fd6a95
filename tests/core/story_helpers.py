"""Stories for the tests: published ones at given moments, and a draft."""

from datetime import timedelta

from django.utils import timezone

from xiangcheng.core.models import Programme
from xiangcheng.core.stories import story_publish, story_save
from xiangcheng.core.story_models import Story, StoryStatus


def story(title: str = "她的科创故事", *, programme: str = "create", tags=(), published: bool = True,
          body: str = "<p>正文</p>") -> Story:
    saved = story_save(story=Story(title=title, programme=Programme.objects.get(slug=programme),
                                   summary=f"{title}的摘要", body=body, tags=list(tags)))
    return story_publish(story=saved) if published else saved


def stories(count: int, *, programme: str = "create", tags=("数字化",)) -> list[Story]:
    """``count`` published stories, one a minute apart (the first is the newest)."""
    now = timezone.now()
    programme_id = Programme.objects.get(slug=programme).pk
    return Story.objects.bulk_create([
        Story(programme_id=programme_id, title=f"故事{n}", summary=f"摘要{n}", body=f"<p>正文{n}</p>", tags=list(tags),
              status=StoryStatus.PUBLISHED, published_at=now - timedelta(minutes=n))
        for n in range(count)])
