"""``{% nav_sidebar %}``: the admin's navigation sidebar, kept rendered (``core/admin_site.py``)."""

from django import template

from .. import admin_site

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sidebar(context):
    return admin_site.nav_sidebar(context)
