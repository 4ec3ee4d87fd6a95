"""The review admin's forms: the reason an application did not pass first review."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CallRefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the applicant)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
