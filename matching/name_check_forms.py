from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CHECK_REASON_MAX


class NameRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (she reads it and can correct her name)"), max_length=CHECK_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
