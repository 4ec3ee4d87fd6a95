from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import admin
from django.contrib.admin import ShowFacets
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import audit
from .changelists import CappedCountPaginator, LargeChangeListMixin
from .kept_changelists import KeptChangeListMixin
from .models import Notice, Programme
from .outbox import KINDS, kinds_visible_to, notices_retry

# --- the audit trail: per object (a section of its change page) and as a whole --------------------


@dataclass(frozen=True)
class HistoryRow:
    """One line of an object's history as staff read it."""

    at: datetime
    who: str
    what: str
    changes: Sequence[tuple[str, str, str]] = field(default_factory=tuple)  # (field, old, new)
    reason: str = ""


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _changes_html(changes: Sequence[tuple[str, str, str]]) -> SafeString:
    return format_html_join(mark_safe("<br>"), "{}: {} → {}", changes)  # noqa: S308 - a constant


def entry_row(entry: audit.Entry) -> HistoryRow:
    changes = [(c.label, c.old_text, c.new_text) for c in entry.changes]
    what = f"{entry.title} ({entry.detail})" if entry.detail else entry.title
    return HistoryRow(at=entry.at, who=entry.who, what=what, changes=changes, reason=entry.reason)


def history_table(rows: Sequence[HistoryRow]) -> SafeString:
    """The history as a table: when, who, what, old → new, why."""
    if not rows:
        return format_html("<p>{}</p>", gettext("Nothing recorded yet."))
    titles = (gettext("When"), gettext("Done by"), gettext("What happened"), gettext("Changes"), gettext("Reason"))
    head = format_html_join("", "<th>{}</th>", ((title,) for title in titles))
    body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
        (_when(row.at), row.who, row.what, _changes_html(row.changes), row.reason) for row in rows))
    return format_html('<div class="audit-history"><table><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>',
                       head, body)


class AuditHistoryMixin:
    """Adds the object's audit history, as a last section, to its admin change page.

    Whoever may open the change page may read its history; nothing more is shown.
    ``audit_references`` also lists the events of rows pointing at the object.
    """

    audit_references = False

    class Media:
        css = {"all": ["core/audit.css"]}

    def history_rows(self, obj) -> list[HistoryRow]:
        return [entry_row(entry) for entry in audit.history(obj, references=self.audit_references)]

    @admin.display(description=_("Recorded changes"))
    def audit_history(self, obj):
        if obj is None or obj.pk is None:
            return ""
        return history_table(self.history_rows(obj))

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "audit_history"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audit_history"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("History"), {"fields": ["audit_history"], "classes": ["audit-history-section"]})]


def _visible(request) -> list:
    """The event tables this member of staff may read (once per request)."""
    if not hasattr(request, "_audit_visible"):
        request._audit_visible = audit.visible_event_models(request.user)
    return request._audit_visible


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(m._meta.label_lower, m._meta.verbose_name) for m in audit.tracked_models()
                if m.pgh_event_model in _visible(request)]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        chosen = [m.pgh_event_model for m in audit.tracked_models()
                  if m._meta.label_lower == self.value() and m.pgh_event_model in _visible(request)]
        return queryset.across(*chosen) if chosen else queryset.none()


class LabelFilter(admin.SimpleListFilter):
    title = _("what happened")
    parameter_name = "label"

    def lookups(self, request, model_admin):
        return audit.label_choices()

    def queryset(self, request, queryset):
        return audit.labelled(queryset, self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    """By member of staff, or changes nobody signed in made (jobs, the shell, sign-ups)."""

    title = _("done by")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [("none", _("No one signed in")), *((str(u.pk), str(u)) for u in staff)]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(user__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(user_id=int(self.value()))
        return queryset


class WhenFilter(admin.DateFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("when")


class TrailPaginator(CappedCountPaginator):
    """A page of the trail in two steps: which events, ordered and filtered over every event
    table as stored (``audit.listed``); then those events whole, with their changes, by primary
    key. Asking PostgreSQL for the newest page whole compared every event with the one before it
    (a minute and a half over three million events)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        keys = audit.events_keyed(self.object_list[bottom:bottom + self.per_page])
        return self._get_page(audit.events_of_keys(keys), number, self)


@admin.register(audit.AuditEvent)
class AuditTrailAdmin(KeptChangeListMixin, admin.ModelAdmin):
    """Every audit event of the models this member of staff may see, newest first.

    Opening the page needs its own permission (audit.BROWSE_PERMISSION); within it, rows of a model
    are shown only to staff who may view that model in admin.
    """

    list_display = ["when", "who", "kind", "item", "what", "changes", "why"]
    list_display_links = None
    # No date hierarchy: its years and months are read from every event of every table on each
    # page; the "when" filter narrows by day, week, month and year without a query.
    list_filter = [KindFilter, LabelFilter, ActorFilter, ("pgh_created_at", WhenFilter)]
    paginator = TrailPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    search_fields = ["=pgh_obj_id", "reason", "task", "url", "pgh_data", "user__username", "user__email",
                     "user__phone"]
    ordering = ["-pgh_created_at"]
    list_per_page = 50
    # Its rows worked out column by column, as the large lists' are (core/changelist_rows.py).
    change_list_template = "admin/large_change_list.html"

    def has_module_permission(self, request):
        return request.user.has_perm(audit.BROWSE_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(audit.BROWSE_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return audit.listed(_visible(request))

    def changelist_rendered(self, request, extra_context=None):
        return super().changelist_rendered(request, {**(extra_context or {}), "title": _("Audit trail")})

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not isinstance(changelist.result_list, list):
            # One page, or "show all": Django lists the queryset itself, not the paginator's page.
            changelist.result_list = audit.events_of_keys(audit.events_keyed(changelist.result_list))
        for event, entry in zip(changelist.result_list, audit.entries(changelist.result_list), strict=True):
            event.entry = entry
        return changelist

    @admin.display(description=_("when"), ordering="pgh_created_at")
    def when(self, event):
        return _when(event.pgh_created_at)

    @admin.display(description=_("done by"))
    def who(self, event):
        return event.entry.who

    @admin.display(description=_("kind"))
    def kind(self, event):
        model = event.entry.model
        return model._meta.verbose_name if model else event.pgh_obj_model

    @admin.display(description=_("record"))
    def item(self, event):
        entry = event.entry
        if entry.obj is None:
            return f"#{entry.object_id}"
        try:
            url = reverse(f"admin:{entry.model._meta.app_label}_{entry.model._meta.model_name}_change",
                          args=[entry.object_id])
        except NoReverseMatch:
            return str(entry.obj)
        return format_html('<a href="{}">{}</a>', url, entry.obj)

    @admin.display(description=_("what happened"))
    def what(self, event):
        return entry_row(event.entry).what

    @admin.display(description=_("changes"))
    def changes(self, event):
        return _changes_html(entry_row(event.entry).changes)

    @admin.display(description=_("reason"))
    def why(self, event):
        return event.entry.reason


# --- programmes and the outbox ---------------------------------------------------------------


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slogan", "order", "slug"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


class NoticeKindFilter(admin.SimpleListFilter):
    """The kinds she may read, from the registry: not read from a million rows on every page."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        visible = kinds_visible_to(request.user)
        return [(name, f"{KINDS[name].label} ({name})") for name in sorted(visible)]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notice)
class NoticeAdmin(LargeChangeListMixin, admin.ModelAdmin):
    """Every message the portal sent or tried to send; failed ones can be retried.

    A million rows and more: newest first by primary key (the order they were written), and no
    date hierarchy (its years and months were read from every row on each page); the "created
    at" filter narrows by day, week, month and year."""

    list_display = ["created_at", "kind", "recipient", "state", "channels_sent", "attempts", "sent_at"]
    list_filter = ["state", NoticeKindFilter, "staff_only", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["key", "subject", "recipient__email", "recipient__phone"]
    list_select_related = ["recipient"]
    ordering = ["-pk"]
    actions = ["retry"]
    readonly_fields = ["recipient", "kind", "key", "staff_only", "target_type", "target_id", "data", "state",
                       "created_at", "claimed_at", "sent_at", "attempts", "last_error", "channels_sent",
                       "subject", "body", "url", "read_at"]

    def get_queryset(self, request):
        # One table for every app's notices: staff see the kinds of the work they do.
        return super().get_queryset(request).filter(kind__in=kinds_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Retry the selected failed notices"), permissions=["change"])
    def retry(self, request, queryset):
        count = notices_retry(notice_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(n)d notice will be sent again.", "%(n)d notices will be sent again.",
                                            count) % {"n": count})
