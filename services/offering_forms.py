from django import forms
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.form_choices import shared

from .models import Contact


class AppointmentForm(forms.Form):
    message = forms.CharField(
        label=_("What would you like to discuss?"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 1000}),
        help_text=_("A few lines: your question, and when you are usually free. Please do not include ID card numbers."),
    )
    preferred_contact = forms.ChoiceField(label=_("How should we answer?"), choices=shared(Contact.choices),
                                          initial=Contact.SITE, widget=forms.RadioSelect)
