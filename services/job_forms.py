from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import City, Field
from xiangcheng.core.form_choices import shared

from .applications import ORGANISATION_STEPS, ApplicationError, cv_check
from .jobs import EDITABLE, closing_passed
from .models import Education, Job


class JobForm(forms.ModelForm):
    """What an organisation writes; the salary range empty on both ends means negotiable (面议).

    The model's own field checks (salary and openings within bounds) run as for any model form;
    its salary-range constraint is not reached once ``clean`` has named the wrong end.
    """

    class Meta:
        model = Job
        fields = EDITABLE
        widgets = {
            "closes_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "salary_min": forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "8000"}),
            "salary_max": forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "15000"}),
        }
        help_texts = {"salary_max": _("Leave both salary fields empty for a negotiable salary (面议).")}

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        if closing_passed(closes_on=closes_on):
            raise forms.ValidationError(_("The last day to apply cannot be in the past."))
        return closes_on

    def clean(self):
        data = super().clean()
        low, high = data.get("salary_min"), data.get("salary_max")
        if (low is None) != (high is None) and "salary_min" not in self.errors and "salary_max" not in self.errors:
            self.add_error("salary_max", _("Give both ends of the salary range, or neither for a negotiable salary."))
        elif low is not None and high is not None and low > high:
            self.add_error("salary_max", _("The lowest salary cannot be above the highest."))
        return data


class JobFilterForm(forms.Form):
    q = forms.CharField(label=_("Search job titles"), max_length=40, required=False)
    city = forms.ChoiceField(label=_("City"), choices=shared([("", _("All cities")), *City.choices]), required=False)
    education = forms.ChoiceField(label=_("Education"), choices=shared([("", _("Any education")), *Education.choices]),
                                  required=False)
    industry = forms.ChoiceField(label=_("Industry"), choices=shared([("", _("All industries")), *Field.choices]),
                                 required=False)

    def clean_q(self):
        return self.cleaned_data["q"].strip()


class ApplicationForm(forms.Form):
    message = forms.CharField(label=_("Your message to the organisation"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("Say why the job suits you. The organisation sees your name, job title "
                                          "and field, never your email address or mobile number."))
    cv = forms.FileField(label=_("CV (PDF, optional)"), required=False,
                         widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
                         help_text=_("A PDF of at most 5 MB. Only this organisation and federation staff can open it."))

    def clean_cv(self):
        upload = self.cleaned_data.get("cv")
        if upload:
            try:
                cv_check(upload)
            except ApplicationError as exc:
                raise forms.ValidationError(str(exc)) from None
        return upload


class ApplicationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(step.value, step.label) for step in ORGANISATION_STEPS])


class JobRejectForm(forms.Form):
    """Staff's reason for not publishing a job (or its edit); the organisation reads it."""

    reason = forms.CharField(label=_("Reason (sent to the organisation)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
