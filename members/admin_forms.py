from django import forms
from django.utils.translation import gettext_lazy as _


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the member)"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OrganisationRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to its representatives)"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
