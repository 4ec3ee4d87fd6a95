from django import template

from xiangcheng.core import fragments

register = template.Library()


@register.simple_tag
def kept_form_fields(form, mark_optional=False):
    """The form's fields (``_fields.html``), kept rendered while nothing is typed in it."""
    return fragments.form_fields(form, mark_optional=mark_optional)
