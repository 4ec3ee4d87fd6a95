"""The members a story names, on the kernel's story page (its story-section hook)."""

from xiangcheng.core.sections import story_section

from .story_features import features_shown


def featured_members(request, story) -> dict | None:
    people = features_shown(story=story, viewer=request.user)
    return {"people": people} if people else None


def register() -> None:
    story_section(key="featured_members", template="members/stories/_featured.html", context=featured_members,
                  order=10)
