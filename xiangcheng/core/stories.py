"""Stories (科创故事): the rules — what a story's HTML may hold, saving, publishing, what is listed.

The sanitizer is the one gate between what staff type or paste and what a page renders with
``|safe``. It keeps an allowlist (paragraphs, line breaks, strong and emphasised text, two heading
levels, lists, quotes, links, images, figures) and drops everything else: script and style with
their content, every event handler and style attribute, links other than http, https and
mailto (each marked ``rel="noopener noreferrer nofollow"``), images from anywhere but the site's
own media, and the invisible characters that reorder or hide text (bidi controls, zero-width
characters). ``story_save`` runs it on every save, whoever saves (the admin form, the demo, the
shell); the admin form runs it too, so staff see what will be kept.
"""

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .audit import audit_context
from .compiled_queries import CompiledQuery
from .files import ProcessedImage
from .fragments import rendered_kept
from .plain_text import INVISIBLE  # the characters that reorder or hide text, removed
from .story_models import MAX_TAGS, PUBLISHED_STORIES, TAG_LENGTH, Story, StoryStatus

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "h2", "h3", "ul", "ol", "li", "blockquote", "a", "img",
                          "figure", "figcaption"})
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Removed with everything inside them (their text is never wanted in a story).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "svg", "math", "iframe", "object", "embed", "noscript",
                                  "template", "textarea", "select", "title", "frameset", "noembed"})
TAG_SEPARATORS = re.compile(r"[,，、;；\s]+")


class StoryError(Exception):
    """A story change the rules refuse; the message says why, in her language."""


def text_clean(text: str) -> str:
    """Plain text (titles, summaries, tags) without the invisible characters that reorder it."""
    return INVISIBLE.sub("", text).strip()


def _media_image(value: str) -> bool:
    """An image address on the site's own media (an uploaded file), nothing else."""
    media = settings.MEDIA_URL
    if not value.startswith(media) or ".." in value or "\\" in value:
        return False
    rest = value[len(media):]
    parts = urlsplit(rest)
    return bool(rest) and not parts.scheme and not parts.netloc and not rest.startswith("/")


def _link(value: str) -> bool:
    parts = urlsplit(value)
    if parts.scheme.lower() not in LINK_SCHEMES:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def _attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if _link(value) else None
    if tag == "img" and attribute == "src":
        return value if _media_image(value) else None
    return value


def story_sanitize(html: str) -> str:
    """The story's HTML as it may be rendered: only the allowlist, inert (see the module)."""
    return nh3.clean(
        INVISIBLE.sub("", html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def tags_parse(text: str) -> list[str]:
    """Tags as staff type them (separated by commas, 、 or spaces): cleaned, each once, in order."""
    tags: list[str] = []
    for tag in TAG_SEPARATORS.split(text_clean(text)):
        tag = text_clean(tag).lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    if too_long := [tag for tag in tags if len(tag) > TAG_LENGTH]:
        raise StoryError(_("A tag may have at most %(n)d characters: %(tag)s") % {"n": TAG_LENGTH, "tag": too_long[0]})
    if len(tags) > MAX_TAGS:
        raise StoryError(_("A story may have at most %(n)d tags.") % {"n": MAX_TAGS})
    return tags


def story_save(*, story: Story, author=None, cover: ProcessedImage | None = None) -> Story:
    """Save a new story or staff's edit of one, its text sanitized and its texts cleaned.

    The status is not edited here: a new story is a draft; publish and unpublish are their own steps.
    """
    with transaction.atomic():
        if story.pk is None:
            story.status = StoryStatus.DRAFT
            story.published_at = None
            if author is not None and getattr(author, "is_authenticated", False):
                story.author = author
        else:
            current = Story.objects.select_for_update().only("status", "published_at").get(pk=story.pk)
            story.status, story.published_at = current.status, current.published_at
        story.title = text_clean(story.title)
        story.summary = text_clean(story.summary)
        story.tags = tags_parse(" ".join(story.tags))
        story.body = story_sanitize(story.body)
        if not story.title or not story.body:
            raise StoryError(_("A story needs a title and some text."))
        if cover is not None:
            story.cover.save("cover.jpg", cover.image, save=False)
            story.cover_thumb.save("thumb.jpg", cover.thumbnail, save=False)
        story.save()
    return story


def _locked(story_id: int) -> Story:
    return Story.objects.select_for_update().get(pk=story_id)


def story_publish(*, story: Story, actor=None) -> Story:
    """A draft goes live: listed, in the feed, on home and its programme's page. Its date is
    the first publication's (unpublishing and publishing again keeps it)."""
    with transaction.atomic(), audit_context(actor=actor, reason=""):
        story = _locked(story.pk)
        if story.status == StoryStatus.PUBLISHED:
            raise StoryError(_("The story is already published."))
        story.status = StoryStatus.PUBLISHED
        story.published_at = story.published_at or timezone.now()
        story.save(update_fields=["status", "published_at", "updated_at"])
    return story


def story_unpublish(*, story: Story, actor=None) -> Story:
    """Back to a draft: gone from every public page and the feed at once (its page answers 404)."""
    with transaction.atomic(), audit_context(actor=actor, reason=""):
        story = _locked(story.pk)
        if story.status != StoryStatus.PUBLISHED:
            raise StoryError(_("Only a published story can be unpublished."))
        story.status = StoryStatus.DRAFT
        story.save(update_fields=["status", "updated_at"])
    return story


# --- what the public reads -------------------------------------------------------------------------

LISTED_FIELDS: Sequence[str] = ("pk", "title", "summary", "cover_thumb", "tags", "published_at", "programme__slug",
                                "programme__name")


def stories_published() -> QuerySet[Story]:
    return Story.objects.filter(PUBLISHED_STORIES)


def stories_listed(*, programme: str = "", tag: str = "") -> QuerySet[Story]:
    """Published stories, newest first, with what a card shows (one query, however many)."""
    qs = stories_published()
    if programme:
        qs = qs.filter(programme__slug=programme)
    if tag:
        qs = qs.filter(tags__contains=[tag])
    return qs.select_related("programme").only(*LISTED_FIELDS).order_by("-published_at", "-pk")


# The story page's read, its SQL built once per process.
_STORY = CompiledQuery(lambda pk: Story.objects.select_related("programme").filter(pk=pk), pk=int)


def story_readable(*, pk: int, user) -> Story | None:
    """The story, if ``user`` may read it: a published one for anyone, a draft for staff who may
    view stories in admin (their preview). Anyone else gets None: the page's 404."""
    story = _STORY.first(pk=pk)
    if story is None:
        return None
    if story.is_published or (user.is_authenticated and user.is_staff and user.has_perm("core.view_story")):
        return story
    return None


TOLD_TEMPLATE = "core/stories/_story_told.html"


def story_told(story: Story) -> SafeString:
    """A story's page as every reader sees it — title, date, programme, lead, cover and text —
    kept rendered (``fragments``) under everything it shows; whom it features is not in it (that
    depends on who reads)."""
    version = (story.pk, story.title, story.summary, story.body, story.cover.name or "", story.is_published,
               story.published_at, story.programme.slug, story.programme.name)
    return rendered_kept(template=TOLD_TEMPLATE, context={"story": story}, version=version)
