"""The project's ``{% url %}`` (a template builtin, see settings' TEMPLATES): Django's own tag,
its URLs reversed through ``reversed_urls``, remembered per process."""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from xiangcheng.core.reversed_urls import reversed_url

register = template.Library()

_UNSET = object()


class KeptURLNode(defaulttags.URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        # As Django's tag: the request's namespace decides between instances of an app.
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", _UNSET)
        if current_app is _UNSET:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        url = ""
        try:
            url = reversed_url(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """``{% url %}`` exactly as Django parses it."""
    node = defaulttags.url(parser, token)
    node.__class__ = KeptURLNode
    return node
