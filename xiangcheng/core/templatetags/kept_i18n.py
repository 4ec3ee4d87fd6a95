"""The project's ``i18n`` template library (settings' TEMPLATES name it in place of Django's):
Django's own tags and filters, with ``{% translate "…" %}`` of a fixed text remembered per
process and language.

Django's tag translates through a lazy text built afresh on every render: about 70 Python calls
for each of the dozens of fixed texts a page shows. Its result depends only on the text, its
context, the language and whether the page escapes, so it is remembered under those. A text
read from a variable or passed through filters is translated as Django does, every time.
"""

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

# (text, context, noop, language, autoescape) → the rendered text. Bounded by the templates'
# own texts: nothing a request sends becomes a key.
_translated: dict[tuple, str] = {}


class KeptTranslateNode(i18n.TranslateNode):
    def _fixed(self) -> tuple | None:
        """The key part of a fixed text, or None if the text or its context is read at render."""
        expression = self.filter_expression
        if expression.filters or expression.var.lookups is not None:
            return None
        context = self.message_context
        if context is not None and (context.filters or not isinstance(context.var, str)):
            return None
        return (expression.var.literal, context.var if context is not None else None, self.noop)

    def render(self, context):
        fixed = self.fixed
        if fixed is None:
            return super().render(context)
        key = (*fixed, get_language(), context.autoescape)
        value = _translated.get(key)
        if value is None:
            rendered = super().render(context)
            value = _translated[key] = context[self.asvar] if self.asvar else rendered
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    """``{% translate %}`` exactly as Django parses it."""
    node = i18n.do_translate(parser, token)
    node.__class__ = KeptTranslateNode
    node.fixed = node._fixed()
    return node


@receiver(setting_changed)
def _forget(*, setting: str, **_signal) -> None:
    # The settings Django's own translation caches are reset for.
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _translated.clear()
