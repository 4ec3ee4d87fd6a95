from django import template

from xiangcheng.core import chrome

register = template.Library()


@register.simple_tag(takes_context=True)
def site_header(context):
    return chrome.site_header(context.get("request"), unread=context.get("unread_notices") or 0)


@register.simple_tag
def site_head():
    return chrome.site_head()


@register.simple_tag
def site_footer():
    return chrome.site_footer()
