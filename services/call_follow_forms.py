"""The follow page's form: the call kinds and fields she wants to hear of."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Field

from .models import CallKind


class CallFollowForm(forms.Form):
    kinds = forms.MultipleChoiceField(label=_("Kinds of call"), choices=CallKind.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    fields = forms.MultipleChoiceField(label=_("Fields"), choices=Field.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
