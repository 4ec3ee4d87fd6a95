"""The report form (members) and the moderators' reason for a decision (admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.form_choices import shared

from .models import MODERATION_NOTE_MAX, REPORT_DETAILS_MAX, ReportReason


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What happened?"), choices=shared(ReportReason.choices), widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason."), "invalid_choice": _("Choose a reason from the list.")},
    )
    details = forms.CharField(
        label=_("Details (optional)"), required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": REPORT_DETAILS_MAX}),
        help_text=_("At most 500 characters. Only the 遇见 moderators read them; the person you report does not "
                    "learn who reported her."),
    )

    def clean_details(self):
        # Longer than allowed: said here in her words, before the domain's own check.
        details = self.cleaned_data["details"]
        if len(details) > REPORT_DETAILS_MAX:
            raise forms.ValidationError(
                _("The details may have at most %(count)d characters.") % {"count": REPORT_DETAILS_MAX})
        return details


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for the decision (kept in the audit trail, not sent to the members)"),
        max_length=MODERATION_NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
    )
