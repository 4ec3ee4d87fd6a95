from django import template

from xiangcheng.core import fragments

register = template.Library()


@register.simple_tag
def kept_form_fields(form, mark_optional=False, template=fragments.FIELDS_TEMPLATE, **shown):
    """The form's fields (``_fields.html``, or its own ``template`` with what else it ``shown``),
    kept rendered while nothing is typed in it."""
    return fragments.form_fields(form, mark_optional=mark_optional, template=template, **shown)
