"""Forms of the calls pages: the list's filters and her application."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.models import Field
from xiangcheng.core.form_choices import shared

from .attachments import AttachmentRejected, attachment_check
from .calls import MAX_FILES, STATEMENT_MAX
from .forms import MultipleFileInput
from .models import CallKind, CallLevel


class CallFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=shared([("", _("All kinds")), *CallKind.choices]), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=shared([("", _("All levels")), *CallLevel.choices]), required=False)
    field = forms.ChoiceField(label=_("Field"), choices=shared([("", _("All fields")), *Field.choices]), required=False)


class CallFilesField(forms.FileField):
    """Several PDFs or images in one input, each checked by the file gate (the inbox's check)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"})

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, list | tuple) else [data]) if u]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
        try:
            return [attachment_check(upload) for upload in uploads]
        except AttachmentRejected as exc:
            raise forms.ValidationError(str(exc)) from None


class CallApplicationForm(forms.Form):
    statement = forms.CharField(
        label=_("Your statement"), max_length=STATEMENT_MAX, required=False,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": STATEMENT_MAX}),
        help_text=_("Say why you suit this call: your work, results and plans. Needed to submit; a draft may "
                    "leave it empty."))
    files = CallFilesField(
        label=_("Attachments"), required=False,
        help_text=format_lazy(_("Up to {n} PDF files or images in all, 5 MB each. Only you and federation staff "
                                "can open them."), n=MAX_FILES))


class CallCancelForm(forms.Form):
    """Staff's reason for cancelling calls (kept in the audit trail)."""

    reason = forms.CharField(label=_("Reason (kept in the history)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
