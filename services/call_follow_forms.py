"""The follow page's form: the call kinds and fields she wants to hear of."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Field
from xiangcheng.core.form_choices import shared

from .models import CallKind


class CallFollowForm(forms.Form):
    kinds = forms.MultipleChoiceField(label=_("Kinds of call"), choices=shared(CallKind.choices), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    fields = forms.MultipleChoiceField(label=_("Fields"), choices=shared(Field.choices), required=False,
                                       widget=forms.CheckboxSelectMultiple)
