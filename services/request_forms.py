"""Forms of the service-request pages: posting, searching, responding, accepting, rejecting."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import City, Field
from xiangcheng.core.form_choices import shared

from .models import RequestCategory, ServiceRequest
from .requests import EDITABLE, RequestError, check_deadline


class RequestForm(forms.ModelForm):
    class Meta:
        model = ServiceRequest
        fields = EDITABLE
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        try:
            check_deadline(deadline=deadline)
        except RequestError as exc:
            raise forms.ValidationError(str(exc)) from None
        return deadline


class RequestSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": _("Words in the title or description"),
                                                      "type": "search"}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=shared([("", _("All categories")), *RequestCategory.choices]))
    field = forms.ChoiceField(label=_("Field"), required=False, choices=shared([("", _("All fields")), *Field.choices]))
    city = forms.ChoiceField(label=_("City"), required=False, choices=shared([("", _("All cities")), *City.choices]))


class ContactChoiceForm(forms.Form):
    """Which of the person's verified contacts the other side may see: none ticked by default."""

    share_email = forms.BooleanField(label=_("My email address"), required=False)
    share_phone = forms.BooleanField(label=_("My mobile number"), required=False)

    def __init__(self, *args, email: str = "", phone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Only a verified contact can be offered; her own value is shown to her alone.
        if email:
            self.fields["share_email"].label = _("My email address (%(email)s)") % {"email": email}
        else:
            del self.fields["share_email"]
        if phone:
            self.fields["share_phone"].label = _("My mobile number (%(phone)s)") % {"phone": phone}
        else:
            del self.fields["share_phone"]


class ResponseForm(ContactChoiceForm):
    message = forms.CharField(label=_("Your message to the organisation"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    field_order = ["message", "share_email", "share_phone"]


class RejectRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason (sent to the organisation)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
