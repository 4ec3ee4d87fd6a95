"""The rows of an admin change list, each column worked out once per page instead of once per cell.

Django's admin decides for every cell of every row what its column is (a model field, an admin
method, a property), its empty value and CSS classes, and for every row reverses the change URL
and then resolves it again only to keep the list's filters on the link. On a page of 50 rows
that is most of the page's time. Here each column is looked up once, the change URL is reversed
once and the filters joined to it once; a value is still shown by the admin's own
``display_for_field`` and ``display_for_value``, so each row is exactly Django's (tests compare
the two on the change lists staff use).

``rows(cl)`` stands in for ``django.contrib.admin.templatetags.admin_list.results``; the
``{% large_result_list cl %}`` tag of ``admin/large_change_list.html`` renders it. Lists that
edit rows in place, popups and ``to_field`` lookups keep Django's rows.
"""

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.admin.templatetags.admin_list import ResultList, results
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,  # what lookup_field itself asks: is this column a model field?
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

# Stands for a row's primary key in the change URL reversed once per page.
_PK = "0rowpk0"


@dataclass(frozen=True)
class _Column:
    name: object            # as in list_display: a name or a callable
    css: str                # the field-… class; "nowrap" is added per value where Django adds it
    link: bool              # links to the row's change page
    tag: str                # "th" for the first linked column, "td" otherwise
    field: models.Field | None  # set when every row's value is this model field's
    labels: dict | None     # a choices field's labels by value, as display_for_field shows them


def _css_name(name, index: int) -> str:
    if callable(name):
        return f"lambda{index}" if name.__name__ == "<lambda>" else name.__name__
    return name


def _model_field(cl, name) -> models.Field | None:
    if callable(name):
        return None
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
        return None
    return None if field.auto_created else field


def _labels(field: models.Field) -> dict | None:
    try:
        return dict(field.flatchoices) or None
    except TypeError:  # choices that cannot be keys: display_for_field handles them cell by cell
        return None


def _columns(cl) -> list[_Column]:
    columns, first = [], True
    links = cl.list_display_links
    for index, name in enumerate(cl.list_display):
        link = links is not None and ((first and not links) or name in links)
        field = _model_field(cl, name)
        columns.append(_Column(name=name, css=f"field-{_css_name(name, index)}", link=link,
                               tag="th" if link and first else "td", field=field,
                               labels=_labels(field) if field is not None else None))
        first = first and not link
    return columns


def _change_url(cl):
    """A function of a row that gives its change URL with the list's filters, or None without one."""
    try:
        template = cl.url_for_result(SimpleNamespace(**{cl.pk_attname: _PK}))
    except NoReverseMatch:
        return None
    head, _, tail = escape(add_preserved_filters(
        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, template)).partition(_PK)

    def change_url(row) -> str:
        pk = getattr(row, cl.pk_attname)
        if isinstance(pk, int):
            return f"{head}{pk}{tail}"
        # Any other key is quoted as Django quotes it, row by row.
        return escape(add_preserved_filters(
            {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(row)))
    return change_url


def _shown(column: _Column, row, model_admin, empty: str) -> tuple[str, str]:
    """What the cell shows, as HTML, and its classes."""
    css = column.css
    try:
        if column.field is not None:
            field, attr, value = column.field, None, getattr(row, column.field.name)
        else:
            field, attr, value = lookup_field(column.name, row, model_admin)
    except ObjectDoesNotExist:
        return conditional_escape(empty), css
    empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if field is None or field.auto_created:
        if column.name == "action_checkbox":
            css = "action-checkbox"
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        shown = display_for_value(value, empty, boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            css += " nowrap"
    else:
        if column.labels is not None and isinstance(value, (str, int)):
            shown = column.labels.get(value, empty)
        elif isinstance(field.remote_field, models.ManyToOneRel):
            shown = empty if value is None else value
        else:
            shown = display_for_field(value, field, empty, avoid_link=column.link)
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            css += " nowrap"
    return conditional_escape(shown), css


def rows(cl):
    """The change list's rows as Django's ``results(cl)`` gives them: lists of each cell's HTML."""
    if cl.formset or cl.is_popup or cl.to_field:
        yield from results(cl)
        return
    columns = _columns(cl)
    change_url = _change_url(cl) if any(column.link for column in columns) else None
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    for row in cl.result_list:
        cells = []
        for column in columns:
            shown, css = _shown(column, row, model_admin, empty)
            if column.link and change_url is not None:
                shown = f'<a href="{change_url(row)}">{shown}</a>'
            # The value and the URL are escaped; the classes are the columns' names.
            cells.append(mark_safe(f'<{column.tag} class="{css}">{shown}</{column.tag}>'))  # noqa: S308
        yield ResultList(None, cells)
