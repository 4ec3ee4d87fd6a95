"""Stories (科创故事): the alliance's stories and news, site content beside the programmes.

A story is written and published by staff (the 宣传编辑 role) in admin. Its body is HTML that
passed the sanitizer (``stories.story_sanitize``) before it was saved; pages render that field
and nothing else. Members a story features are recorded by the members app (``members``
StoryFeature, with her consent), which the kernel never imports.
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import audit
from .row_loading import RowLoaded

# The programme a story belongs to unless staff say otherwise: 相创她数智.
CREATE_PROGRAMME = "create"
# Tags a story may carry, and how long one may be.
MAX_TAGS = 8
TAG_LENGTH = 20


class StoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


# What the public may read: the one rule the list, the detail page, the feed and the sections ask.
PUBLISHED_STORIES = models.Q(status=StoryStatus.PUBLISHED)


def story_default_programme() -> int:
    """A new story belongs to 相创她数智 unless staff say otherwise."""
    return apps.get_model("core", "Programme").objects.values_list("pk", flat=True).get(slug=CREATE_PROGRAMME)


def _cover_path(instance, filename: str) -> str:
    return f"stories/{uuid.uuid4().hex}.jpg"


def _cover_thumb_path(instance, filename: str) -> str:
    return f"stories/thumbs/{uuid.uuid4().hex}.jpg"


@audit.track(status="status")
class Story(RowLoaded, models.Model):
    programme = models.ForeignKey("core.Programme", on_delete=models.PROTECT, related_name="stories",
                                  default=story_default_programme, verbose_name=_("programme"))
    title = models.CharField(_("title"), max_length=100)
    summary = models.CharField(_("summary"), max_length=200,
                               help_text=_("One or two sentences shown in lists and the feed. Plain text."))
    body = models.TextField(
        _("text"), max_length=50_000,
        help_text=_("Paragraphs, headings, lists, quotes, links and figures; anything else is removed when saved."))
    cover = models.ImageField(_("cover image"), upload_to=_cover_path, blank=True)
    cover_thumb = models.ImageField(_("cover thumbnail"), upload_to=_cover_thumb_path, blank=True)
    tags = ArrayField(models.CharField(max_length=TAG_LENGTH), verbose_name=_("tags"), size=MAX_TAGS,
                      default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=StoryStatus.choices,
                              default=StoryStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("written by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=StoryStatus.PUBLISHED, published_at__isnull=True),
                name="story_published_has_date"),
        ]
        indexes = [
            # The list, the feed, home and programme sections: newest published first.
            models.Index(fields=["-published_at", "-id"], name="story_published",
                         condition=PUBLISHED_STORIES),
            models.Index(fields=["programme", "-published_at", "-id"], name="story_programme",
                         condition=PUBLISHED_STORIES),
            GinIndex(fields=["tags"], name="story_tags", condition=PUBLISHED_STORIES),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("stories:detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == StoryStatus.PUBLISHED
