"""Admin change lists over large tables: a page costs the same with a thousand rows or a million.

``LargeChangeListMixin`` on a ``ModelAdmin`` (before ``admin.ModelAdmin``):

- counts the rows only up to ``CappedCountPaginator.cap``: exact below it (an event's sign-ups,
  the applications awaiting review), "more than 10,000" above it, where an exact figure costs a
  scan of the whole table on every page and tells staff nothing a filter would not;
- leaves out the unfiltered total beside a filtered count (``show_full_result_count``), which
  is a second count of the whole table;
- renders each row's selection checkbox as one formatted string instead of a form widget
  through the template engine (the same HTML, a fifth of the time on a page of 100 rows);
- offers no "select all" across pages once the count is capped (it could not say how many);
- offers no counts beside the filters' choices (Django's "show counts", ``show_facets``): each
  choice would be counted over the whole table, on every page;
- shows 50 rows a page: rendering an admin row is most of such a page's time, and staff reach
  what they look for with the filters and the search, not by scrolling past a hundred rows;
- renders those rows with each column worked out once per page (``changelist_rows``, through
  ``admin/large_change_list.html``). An admin with a change list template of its own extends
  that one;
- keeps the page rendered until a table it read is written (``kept_changelists``).

Filters that list values from the database must list a bounded number of them
(``events.admin.RegistrationAdmin.EventFilter``, ``services.admin.AssigneeListFilter``); one that
lists a hundred or more (the events around today) is a ``ManyChoicesListFilter``.
"""

from urllib.parse import quote_plus

from django.contrib import admin
from django.contrib.admin import ShowFacets, helpers
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext

from .kept_changelists import KeptChangeListMixin


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` rows; ``capped`` tells whether there are more."""

    cap = 10_000
    capped = False

    @cached_property
    def count(self) -> int:
        # Which rows are counted does not matter, so the count sorts nothing.
        counted = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


class ManyChoicesListFilter(admin.SimpleListFilter):
    """A filter whose choices' links are the list's query string built once, not once a choice:
    Django builds each link from every parameter of the list again, and for the hundred and more
    events around today that was a tenth of the registrations page. The links are Django's own,
    character for character. Choices are not counted: a large change list has no facets."""

    _CHOICE = "7301000000001"  # stands for a choice's value in the link built once

    def choices(self, changelist):
        djangos = super().choices(changelist)
        if changelist.add_facets:  # never on a large change list
            yield from djangos
            return
        yield next(djangos)  # "All", as Django words and links it; the rest of Django's is not built
        link = changelist.get_query_string({self.parameter_name: self._CHOICE})
        if link.count(self._CHOICE) != 1:  # the list's own parameters hold the stand-in: one by one
            link = None
        for value, display in self.lookup_choices:
            yield {"selected": self.value() == str(value), "display": display,
                   "query_string": (link.replace(self._CHOICE, quote_plus(str(value))) if link is not None
                                    else changelist.get_query_string({self.parameter_name: value}))}


class _ShownColumnsChangeList(ChangeList):
    """Reads only the admin's ``list_only`` columns for the page it shows. Actions and "select
    all" ask the admin for its queryset afresh, whole."""

    def get_results(self, request):
        whole = self.queryset
        self.queryset = whole.only(*self.model_admin.list_only)
        try:
            super().get_results(request)
        finally:
            self.queryset = whole


class LargeChangeListMixin(KeptChangeListMixin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    list_per_page = 50
    change_list_template = "admin/large_change_list.html"
    # The columns a page's rows show (with those of ``list_select_related``), where that is far
    # fewer than the rows hold: 50 rows of an application, its call and her account and profile
    # were 600 timestamps parsed for five shown.
    list_only: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        return _ShownColumnsChangeList if self.list_only else super().get_changelist(request, **kwargs)

    def action_checkbox(self, obj):
        # The HTML of Django's CheckboxInput for the same attributes, without the widget template.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME, obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    def changelist_rendered(self, request, extra_context=None):
        response = super().changelist_rendered(request, extra_context)
        # Beyond the cap, "select all N" would name the cap while the action reached every row
        # that matches: staff select on the page, or narrow the list with a filter first.
        context = getattr(response, "context_data", None)
        if context and "cl" in context and context["cl"].paginator.capped:
            context["actions_selection_counter"] = False
        return response
