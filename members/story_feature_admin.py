"""The members a story features, as an inline on the story's admin page (added through the kernel's
``story_inline`` hook). Staff add a row by her login (email or mobile number, as she gave it to
them): that asks her; her answer is hers alone, so staff never edit a row's status."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.story_admin import story_inline

from .profiles import person_name
from .story_feature_models import StoryFeature
from .story_features import StoryFeatureError, member_by_login, story_feature_ask


class StoryFeatureForm(forms.ModelForm):
    login = forms.CharField(label=_("her email address or mobile number"), required=False, max_length=254,
                            help_text=_("Only to ask a new member; she is asked by a message and decides herself."))

    class Meta:
        model = StoryFeature
        fields = []

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("DELETE"):
            try:
                self.member = member_by_login(login=cleaned.get("login", ""))
            except StoryFeatureError as exc:
                self.add_error("login", str(exc))
        return cleaned


class StoryFeatureFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        asked = set(StoryFeature.objects.filter(story=self.instance).values_list("member_id", flat=True))
        for form in self.forms:
            member = getattr(form, "member", None)
            if member is None or form.instance.pk is not None or form.cleaned_data.get("DELETE"):
                continue
            if member.pk in asked:
                raise forms.ValidationError(_("She has already been asked about this story."))
            asked.add(member.pk)

    def save_new(self, form, commit=True):
        try:
            return story_feature_ask(story=self.instance, member=form.member)
        except StoryFeatureError as exc:  # asked twice at the same moment: the other request won
            raise forms.ValidationError(str(exc)) from None

    def save_existing(self, form, obj, commit=True):
        return obj  # nothing of a row is staff's to change


class StoryFeatureInline(admin.TabularInline):
    model = StoryFeature
    form = StoryFeatureForm
    formset = StoryFeatureFormSet
    extra = 1
    fields = ["login", "member_name", "status", "asked_at", "answered_at"]
    readonly_fields = ["member_name", "status", "asked_at", "answered_at"]
    verbose_name = _("member featured (with her consent)")
    verbose_name_plural = _("members featured (with their consent)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("member__profile")

    @admin.display(description=_("member"))
    def member_name(self, obj):
        return person_name(obj.member) if obj.pk else "—"


story_inline(StoryFeatureInline)
