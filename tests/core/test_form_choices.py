"""Fixed choices shared by every copy of a form: the same validation and markup as a list of
choices, in each request's language, and a kept form's version naming them by their values."""

from django import forms
from django.utils import translation

from members.models import City
from xiangcheng.core.form_choices import choices_version, shared


class Listed(forms.Form):
    city = forms.ChoiceField(choices=[("", "—"), *City.choices], required=False)
    cities = forms.MultipleChoiceField(choices=City.choices, widget=forms.CheckboxSelectMultiple, required=False)


class Shared(forms.Form):
    city = forms.ChoiceField(choices=shared([("", "—"), *City.choices]), required=False)
    cities = forms.MultipleChoiceField(choices=shared(City.choices), widget=forms.CheckboxSelectMultiple,
                                       required=False)


def test_validation_and_markup_are_those_of_the_list_in_each_language():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for data in ({}, {"city": "suzhou", "cities": ["suzhou", "wuxi"]}, {"city": "atlantis"},
                         {"cities": ["suzhou", "atlantis"]}):
                listed, shared_form = Listed(data), Shared(data)
                assert shared_form.is_valid() == listed.is_valid()
                assert shared_form.errors == listed.errors
                assert str(shared_form) == str(listed)
            assert str(Shared()) == str(Listed())
    with translation.override("zh-hans"):
        assert "苏州" in str(Shared())
        assert "Suzhou" not in str(Shared())


def test_each_copy_of_the_form_shares_the_one_list():
    first, second = Shared(), Shared()
    assert first.fields["cities"] is not second.fields["cities"]
    assert first.fields["cities"].choices.func is second.fields["cities"].choices.func is \
        Shared.base_fields["cities"].choices.func


def test_a_kept_forms_version_names_shared_choices_by_value_and_listed_ones_by_label_too():
    with translation.override("en"):
        assert choices_version(Shared().fields["cities"]) == ("shared", tuple(value for value, _ in City.choices))
        assert choices_version(Listed().fields["cities"]) == tuple((value, str(label)) for value, label in City.choices)
