"""The 遇见 join and edit forms: her match profile, and the consents joining needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import TagsField
from members.models import City, Field
from xiangcheng.core.form_choices import shared

from .models import AGE_MAX, AGE_MIN, HOMETOWN_MAX, INTRODUCTION_MAX, Purpose, Visibility
from .profiles import MatchDetails, MatchError, details_check


class InterestsField(TagsField):
    """Interests typed as one line, separated by commas or 、 (the limits are the domain's)."""

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class MatchProfileForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        label=_("What are you looking for?"), choices=shared(Purpose.choices), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one purpose."),
                        "invalid_choice": _("Choose purposes from the list.")},
    )
    interests = InterestsField(
        label=_("Interests"), required=False,
        help_text=_("Up to 10, separated by commas, e.g. 人工智能、专利转化、徒步"),
    )
    fields = forms.MultipleChoiceField(
        label=_("Fields"), choices=shared(Field.choices), widget=forms.CheckboxSelectMultiple, required=False,
        error_messages={"invalid_choice": _("Choose fields from the list.")},
    )
    cities = forms.MultipleChoiceField(
        label=_("Cities where you can meet"), choices=shared(City.choices), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one city where you can meet."),
                        "invalid_choice": _("Choose cities from the list.")},
    )
    introduction = forms.CharField(
        label=_("A short introduction"), required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": INTRODUCTION_MAX}),
        help_text=_("At most 300 characters. No phone number or email: those are shared only after you both agree."),
    )
    show_photo = forms.BooleanField(label=_("Show my profile photo in 遇见"), required=False)
    age_min = forms.IntegerField(label=_("Age sought from"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    age_max = forms.IntegerField(label=_("Age sought to"), required=False, min_value=AGE_MIN, max_value=AGE_MAX)
    age_visibility = forms.ChoiceField(label=_("Who sees the age range"), choices=shared(Visibility.choices),
                                       initial=Visibility.CONNECTED)
    hometown = forms.CharField(label=_("Hometown"), required=False, max_length=HOMETOWN_MAX)
    hometown_visibility = forms.ChoiceField(label=_("Who sees the hometown"), choices=shared(Visibility.choices),
                                            initial=Visibility.CONNECTED)
    friendship_consent = forms.BooleanField(
        label=_("I want to join 交友, the circle for single talents, and agree that other 交友 participants "
                "see my match profile there."),
        required=False,
    )
    single = forms.BooleanField(label=_("I confirm that I am single."), required=False)

    # The fields the friendship block is made of (the template shows them together).
    FRIENDSHIP_FIELDS = ["age_min", "age_max", "age_visibility", "hometown", "hometown_visibility"]
    CONSENT_FIELDS = ["friendship_consent", "single"]

    def __init__(self, *args, friendship_consented: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.friendship_consented = friendship_consented
        if friendship_consented:  # already given: not asked again
            for name in self.CONSENT_FIELDS:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.details = details_check(MatchDetails(**{
                name: cleaned.get(name) for name in (
                    "purposes", "cities", "interests", "fields", "introduction", "show_photo", "age_min",
                    "age_max", "age_visibility", "hometown", "hometown_visibility")
            } | {"interests": cleaned.get("interests") or [], "fields": cleaned.get("fields") or [],
                 "introduction": cleaned.get("introduction") or "", "hometown": cleaned.get("hometown") or ""}))
        except MatchError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
        return cleaned

    def consent_kwargs(self) -> dict:
        return {name: bool(self.cleaned_data.get(name)) for name in self.CONSENT_FIELDS}

    @classmethod
    def initial_from(cls, profile) -> dict:
        return {name: getattr(profile, name) for name in (
            "purposes", "cities", "interests", "fields", "introduction", "show_photo", *cls.FRIENDSHIP_FIELDS)}


class JoinForm(MatchProfileForm):
    consent = forms.BooleanField(
        label=_("I have read the text above and want to take part in 遇见."), required=False,
    )
