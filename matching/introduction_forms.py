"""The 相遇 request and answer forms: her message, and which of her verified contacts the other
sees once connected (none ticked by default; only verified ones are offered)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .introductions import SHARE_EMAIL, SHARE_PHONE
from .models import INTRODUCTION_MESSAGE_MAX


class ShareForm(forms.Form):
    share = forms.MultipleChoiceField(
        label=_("Once you are connected, she may see"), required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose the contacts to share from the list.")},
        help_text=_("Nothing is shared unless you tick it. Your contacts are shown only to her, and only "
                    "after you have both agreed."),
    )

    def __init__(self, *args, email: str = "", phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Her own verified contacts, shown to her alone; an unverified one is not offered.
        choices = []
        if email:
            choices.append((SHARE_EMAIL, _("My email address (%(email)s)") % {"email": email}))
        if phone:
            choices.append((SHARE_PHONE, _("My mobile number (%(phone)s)") % {"phone": phone}))
        if choices:
            self.fields["share"].choices = choices
        else:  # nothing verified to share: the page says so instead of an empty list
            del self.fields["share"]

    @property
    def shares(self) -> list[str]:
        return self.cleaned_data.get("share") or []


class RequestForm(ShareForm):
    message = forms.CharField(
        # The length is the domain's rule (its message); the page stops typing at the limit.
        label=_("A short message to her"), strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": INTRODUCTION_MESSAGE_MAX}),
        help_text=_("At most 200 characters: who you are and why you would like to meet."),
        error_messages={"required": _("Write a short message to introduce yourself.")},
    )
    field_order = ["message", "share"]
