"""The forms of single talents who join 交友 alone: the 遇见 forms with their real name, and 交友
as the only purpose (the limits and rules are the domain's, ``matching.profiles``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import JoinForm, MatchProfileForm
from .models import REAL_NAME_MAX, Purpose
from .profiles import FRIENDSHIP_ONLY, REAL_NAME_MISSING, MatchError, real_name_check


class AloneFieldsMixin(forms.Form):
    real_name = forms.CharField(
        label=_("Real name (as on your ID card)"), strip=True,
        widget=forms.TextInput(attrs={"maxlength": REAL_NAME_MAX, "autocomplete": "name"}),
        error_messages={"required": _(REAL_NAME_MISSING)},
        help_text=_("遇见审核 staff verify it; other 交友 participants see it as members see each other's names."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("What are you looking for?"), choices=[(Purpose.FRIENDSHIP.value, Purpose.FRIENDSHIP.label)],
        widget=forms.CheckboxSelectMultiple, initial=[Purpose.FRIENDSHIP.value],
        error_messages={"required": _(FRIENDSHIP_ONLY), "invalid_choice": _(FRIENDSHIP_ONLY)},
    )

    # No member profile behind her: no photo to show, no professional field.
    NOT_ASKED = ["show_photo", "fields"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NOT_ASKED:
            del self.fields[name]

    def clean(self):
        self.cleaned_data.update(show_photo=False, fields=[])
        return super().clean()

    def clean_real_name(self) -> str:
        try:
            return real_name_check(self.cleaned_data.get("real_name", ""))
        except MatchError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def alone_kwargs(self) -> dict:
        return {"real_name": self.cleaned_data["real_name"]}


class AloneJoinForm(AloneFieldsMixin, JoinForm):
    field_order = ["real_name"]


class AloneProfileForm(AloneFieldsMixin, MatchProfileForm):
    field_order = ["real_name"]

    @classmethod
    def initial_from(cls, profile) -> dict:
        return {**super().initial_from(profile), "real_name": profile.real_name}
