from django import template

from xiangcheng.core import counted_pages

register = template.Library()


@register.simple_tag(takes_context=True)
def page_links(context):
    """The links to the list's other pages (``_pagination.html``) for the ``page`` and ``query``
    in the context, kept rendered."""
    return counted_pages.page_links(context.get("page"), context.get("query", ""))
