from django import template

from xiangcheng.core import fragments

register = template.Library()


@register.simple_tag
def kept_form_fields(form, mark_optional=False, template=fragments.FIELDS_TEMPLATE, as_typed=False, **shown):
    """The form's fields (``_fields.html``, or its own ``template`` with what else it ``shown``),
    kept rendered while nothing is typed in it; a search's filters (``as_typed=True``) also as
    typed."""
    return fragments.form_fields(form, mark_optional=mark_optional, template=template, as_typed=as_typed, **shown)
