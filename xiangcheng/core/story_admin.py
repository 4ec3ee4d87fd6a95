"""Stories in admin: the 宣传编辑 role writes, previews, publishes and unpublishes them.

The form runs the sanitizer on the text (so staff see what is kept) and the cover through the
file gate; saving goes through ``stories.story_save``, publish and unpublish are actions. An app
adds an inline to the story's page with ``story_inline(...)`` (the members a story features are
the members app's), so this module knows no app.
"""

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin import AuditHistoryMixin
from .files import COVER, FileRejected, image_process
from .stories import (
    StoryError,
    story_publish,
    story_sanitize,
    story_save,
    story_unpublish,
    tags_parse,
    text_clean,
)
from .story_models import Story, StoryStatus

_inlines: list[type[admin.options.InlineModelAdmin]] = []


def story_inline(inline: type[admin.options.InlineModelAdmin]) -> None:
    """Show ``inline`` on every story's admin page (an app calls it from its admin module)."""
    if inline not in _inlines:
        _inlines.append(inline)


class StoryAdminForm(forms.ModelForm):
    tags = forms.CharField(label=_("tags"), required=False, max_length=200,
                           help_text=_("Separated by commas or spaces, at most 8, each up to 20 characters."))
    processed_cover = None

    class Meta:
        model = Story
        fields = ["title", "programme", "summary", "body", "cover", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = "，".join(self.instance.tags)

    def _text(self, name: str) -> str:
        text = text_clean(self.cleaned_data.get(name, ""))
        if not text:
            raise forms.ValidationError(_("This field is required."))
        return text

    def clean_title(self):
        return self._text("title")

    def clean_summary(self):
        return self._text("summary")

    def clean_tags(self):
        try:
            return tags_parse(self.cleaned_data.get("tags", ""))
        except StoryError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_body(self):
        body = story_sanitize(self.cleaned_data.get("body", ""))
        if not body:
            raise forms.ValidationError(_("Nothing of the text is left once unsafe parts are removed."))
        return body

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if isinstance(cover, UploadedFile):
            try:
                self.processed_cover = image_process(cover, use=COVER)
            except FileRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return cover


@admin.register(Story)
class StoryAdmin(AuditHistoryMixin, admin.ModelAdmin):
    form = StoryAdminForm
    list_display = ["title", "programme", "status", "published_at", "preview_link"]
    list_filter = ["status", "programme"]
    list_select_related = ["programme"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    actions = ["publish_stories", "unpublish_stories"]
    readonly_fields = ["status", "published_at", "preview_link"]
    fields = ["title", "programme", "summary", "body", "cover", "tags", "status", "published_at", "preview_link"]

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *_inlines] if obj is not None else []

    @admin.display(description=_("page"))
    def preview_link(self, obj):
        if obj is None or obj.pk is None:
            return ""
        label = _("View") if obj.status == StoryStatus.PUBLISHED else _("Preview")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>',
                           reverse("stories:detail", args=[obj.pk]), label)

    def save_model(self, request, obj, form, change):
        story_save(story=obj, author=request.user, cover=form.processed_cover)

    @admin.action(description=_("Publish selected stories"), permissions=["change"])
    def publish_stories(self, request, queryset):
        published = 0
        for story in queryset.filter(status=StoryStatus.DRAFT):
            story_publish(story=story, actor=request.user)
            published += 1
        self.message_user(request, ngettext("%(n)d story published.", "%(n)d stories published.", published)
                          % {"n": published})

    @admin.action(description=_("Unpublish selected stories (back to drafts)"), permissions=["change"])
    def unpublish_stories(self, request, queryset):
        withdrawn = 0
        for story in queryset.filter(status=StoryStatus.PUBLISHED):
            story_unpublish(story=story, actor=request.user)
            withdrawn += 1
        self.message_user(request, ngettext("%(n)d story unpublished.", "%(n)d stories unpublished.", withdrawn)
                          % {"n": withdrawn})
