from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.form_choices import shared

from .attachments import MAX_FILES, AttachmentRejected, attachments_check
from .models import Category, Contact


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; each is checked by content (images and PDF only)."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,application/pdf"})

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        try:
            return attachments_check(uploads)
        except AttachmentRejected as exc:
            raise forms.ValidationError(str(exc)) from None


def _attachments_field():
    return AttachmentsField(
        label=_("Attachments"), required=False,
        help_text=format_lazy(_("Up to {n} images or PDF files, 5 MB each."), n=MAX_FILES),
    )


class TicketForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=shared(Category.choices))
    subject = forms.CharField(label=_("Subject"), max_length=100)
    description = forms.CharField(
        label=_("Describe the problem or suggestion"), max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 3000}),
        help_text=_("Plain text, up to 3000 characters. Please do not include ID card numbers."),
    )
    preferred_contact = forms.ChoiceField(label=_("How should we answer?"), choices=shared(Contact.choices),
                                          initial=Contact.SITE, widget=forms.RadioSelect)
    files = _attachments_field()


class MemberReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=3000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": 3000}))
    files = _attachments_field()


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How helpful was the answer?"), coerce=int,
                                    choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
