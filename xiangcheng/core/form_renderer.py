"""The site's form renderer: the common widgets' and the label tag's HTML written in Python, the
rest by Django's templates.

Django renders a form field's widget through three to five small templates (the input, its
attributes, each option of a list of checkboxes with its label); a form with fifty options cost
more than all the rest of its page. The widgets below are written here as exactly the HTML those
templates give — text, number, email and the other ``<input>`` kinds, textareas, selects, and
lists of checkboxes or radio buttons — and so is a field's ``label_tag`` (a quarter of the staff
dashboard went to its two labels' templates). Tests compare the two on every kind with awkward
values, and whole pages rendered both ways. Any other template (the admin's own widgets, a form's layout)
and any value the templates would localise or format is rendered by Django's templates as before.

A project template that overrides one of these widget templates must also leave this table.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

_WIDGETS = "django/forms/widgets/"


class _Unwritten(Exception):
    """A value the templates would localise or format: the templates render this widget."""


def _text(value) -> str:
    """``{{ value }}``: a string, escaped unless it is marked safe."""
    if isinstance(value, (str, Promise)):
        return conditional_escape(value)
    raise _Unwritten


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe."""
    if isinstance(value, tuple):
        raise _Unwritten
    text = str(value)  # "%s" % value, for anything but a tuple
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """``attrs.html``: False leaves an attribute out, True writes its name alone."""
    return "".join(
        "" if value is False else f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>\n'


def _input_option(option: dict) -> str:
    if not option["wrap_label"]:
        return _input(option) + "\n"
    for_id = f' for="{_text(option["attrs"]["id"])}"' if option["attrs"].get("id") else ""
    return f'<label{for_id}>{_input(option)} {_text(option["label"])}</label>\n'


def _option(option: dict) -> str:
    if option["template_name"] in (_WIDGETS + "checkbox_option.html", _WIDGETS + "radio_option.html"):
        return _input_option(option) + "\n"
    if option["template_name"] == _WIDGETS + "select_option.html":
        return (f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f'{_text(option["label"])}</option>\n')
    raise _Unwritten


def _grouped(widget: dict, *, group: str, option: str, group_end: str) -> str:
    """The options in their groups, laid out as ``multiple_input.html`` and ``select.html`` do."""
    parts = []
    for name, options, _index in widget["optgroups"]:
        if name:
            parts.append(group.format(_text(name)))
        parts.extend(option.format(_option(each)) for each in options)
        if name:
            parts.append(group_end)
    return "".join(parts)


def _multiple_input(widget: dict) -> str:
    attrs = widget["attrs"]
    html_id = f' id="{_text(attrs["id"])}"' if attrs.get("id") else ""
    html_class = f' class="{_text(attrs["class"])}"' if attrs.get("class") else ""
    options = _grouped(widget, group="\n  <div><label>{}</label>", option="<div>\n    {}</div>", group_end="\n  </div>")
    return f"<div{html_id}{html_class}>{options}\n</div>"


def _select(widget: dict) -> str:
    options = _grouped(widget, group='\n  <optgroup label="{}">', option="\n  {}", group_end="\n  </optgroup>")
    return f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>'


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


# Each template's HTML as Django renders it: its output stripped of the white space around it.
WRITTEN = {
    **{f"{_WIDGETS}{kind}.html": lambda widget: _input(widget).strip() for kind in (
        "text", "email", "number", "password", "url", "tel", "search", "hidden", "checkbox",
        "date", "datetime", "time", "color", "file")},
    _WIDGETS + "textarea.html": _textarea,
    _WIDGETS + "select.html": _select,
    _WIDGETS + "checkbox_select.html": _multiple_input,
    _WIDGETS + "radio.html": _multiple_input,
}


LABEL = "django/forms/label.html"


def _label(context: dict) -> str:
    """``label.html``, what ``{{ field.label_tag }}`` renders: the label, in its tag when the
    field has an id."""
    label = _text(context["label"])
    if not context["use_tag"]:
        return label
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{label}</{tag}>"


class SiteFormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: the widgets in ``WRITTEN`` and a field's label tag without the template
    engine."""

    def render(self, template_name, context, request=None):
        try:
            write = WRITTEN.get(template_name)
            if write is not None and "widget" in context:
                return write(context["widget"])
            if template_name == LABEL and "use_tag" in context:
                return _label(context)
        except _Unwritten:
            pass
        return super().render(template_name, context, request)
