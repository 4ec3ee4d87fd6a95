import re

from django import forms
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.form_choices import shared
from xiangcheng.core.models import Programme

from .models import Kind


class EventFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Title or keyword")}))
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=shared([("", _("All kinds")), *Kind.choices]))
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", _("All programmes"))] + [
            (p.slug, p.name) for p in Programme.objects.all()
        ]


class SignUpForm(forms.Form):
    """Her seat, and childcare for her children if the event offers it."""

    children_ages = forms.CharField(
        label=_("Children's ages for childcare"), required=False, max_length=30,
        help_text=_("Leave empty if you need no childcare. One age per child, separated by commas, e.g. 4, 7"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "4, 7"}),
    )

    # The guardian's separate consent (events.childcare_consent); booking.sign_up refuses
    # children without it, and the error is shown next to this box.
    children_consent = forms.BooleanField(
        label=_("As their parent or guardian, I consent to the federation processing my children's ages to "
                "provide childcare at this event."),
        required=False,
        help_text=_("Needed only if you book childcare. Children under 14 are protected as sensitive personal "
                    "information: their ages are used for childcare at this event alone, and you can withdraw "
                    "this consent under 我的授权 at any time."),
    )

    def clean_children_ages(self):
        text = self.cleaned_data["children_ages"].strip()
        if not text:
            return []
        parts = [p for p in re.split(r"[,，、\s]+", text) if p]
        if not all(p.isdigit() for p in parts):
            raise forms.ValidationError(_("Enter ages as whole numbers separated by commas."))
        return [int(p) for p in parts]


class CheckinSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=40,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Search by name")}))
