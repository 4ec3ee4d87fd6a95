
from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from xiangcheng.core.admin import AuditHistoryMixin
from xiangcheng.core.audit import EXPORTED, record_access
from xiangcheng.core.changelists import LargeChangeListMixin, ManyChoicesListFilter
from xiangcheng.core.files import POSTER, FileRejected, image_process

from . import booking, changes, exports
from .copying import event_copy
from .models import Event, EventStatus, Registration, RegistrationStatus, Venue
from .queries import events_around_today, with_registration_counts


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "capacity"]
    search_fields = ["name", "address"]


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = ["user", "status", "children_count", "children_ages", "created_at", "checked_in_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False




class EventAdminForm(forms.ModelForm):
    """Posters pass the file gate: verified, re-encoded, EXIF stripped, thumbnailed."""

    processed_poster = None

    def clean_poster(self):
        poster = self.cleaned_data.get("poster")
        if isinstance(poster, UploadedFile):
            try:
                self.processed_poster = image_process(poster, use=POSTER)
            except FileRejected as exc:
                raise forms.ValidationError(str(exc)) from None
        return poster


@admin.register(Event)
class EventAdmin(AuditHistoryMixin, admin.ModelAdmin):
    form = EventAdminForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "programme", "kind", "starts_at", "status", "capacity",
                    "n_confirmed", "n_waitlisted", "n_pending", "n_attended", "export_links"]
    list_filter = ["status", "programme", "kind", "childcare_offered"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]
    actions = ["publish_events", "copy_events", "cancel_events"]
    exclude = ["poster_thumb"]
    readonly_fields = ["status"]

    def get_queryset(self, request):
        return with_registration_counts(super().get_queryset(request).select_related("programme", "seats"))

    @admin.display(description=_("confirmed"), ordering="seats__confirmed")
    def n_confirmed(self, obj):
        return obj.seats.confirmed

    @admin.display(description=_("waitlist"), ordering="waitlist_count")
    def n_waitlisted(self, obj):
        return obj.waitlist_count

    @admin.display(description=_("pending"), ordering="pending_count")
    def n_pending(self, obj):
        return obj.pending_count

    @admin.display(description=_("attended"), ordering="attended_count")
    def n_attended(self, obj):
        return obj.attended_count

    @admin.display(description=_("attendees"))
    def export_links(self, obj):
        return format_html(
            '<a href="{}">Excel</a> · <a href="{}">CSV</a> · <a href="{}">{}</a>',
            reverse("admin:events_event_export", args=[obj.pk, "xlsx"]),
            reverse("admin:events_event_export", args=[obj.pk, "csv"]),
            reverse("events:checkin_list", args=[obj.pk]), _("check-in"),
        )

    def get_urls(self):
        return [
            path("<int:pk>/export.<str:fmt>", self.admin_site.admin_view(self.export),
                 name="events_event_export"),
        ] + super().get_urls()

    def export(self, request, pk: int, fmt: str):
        event = Event.objects.filter(pk=pk).first()
        if event is None or not self.has_view_permission(request, event) or fmt not in {"csv", "xlsx"}:
            return HttpResponse(status=404)
        if fmt == "csv":
            response = HttpResponse(exports.attendees_csv(event), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                exports.attendees_xlsx(event),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        record_access(event, label=EXPORTED, actor=request.user, what=gettext_noop("attendee list"), format=fmt)
        stamp = timezone.localtime().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-attendees-{stamp}.{fmt}"'
        return response

    def save_model(self, request, obj, form, change):
        # The status is not edited here: a new event is a draft; publish and cancel are actions.
        told = changes.event_save(event=obj, changed=set(form.changed_data), poster=form.processed_poster)
        if told:
            self.message_user(request, ngettext("%(n)d registrant will be told of the change.",
                                                "%(n)d registrants will be told of the change.", told) % {"n": told})

    @admin.action(description=_("Copy as a new draft event"), permissions=["add"])
    def copy_events(self, request, queryset):
        copies = [event_copy(event=event) for event in queryset]
        if len(copies) == 1:
            return redirect("admin:events_event_change", copies[0].pk)
        self.message_user(request, ngettext("%(n)d event copied.", "%(n)d events copied.", len(copies)) % {"n": len(copies)})
        return None

    @admin.action(description=_("Publish selected drafts"), permissions=["change"])
    def publish_events(self, request, queryset):
        published = 0
        for event in queryset.filter(status=EventStatus.DRAFT):
            changes.event_publish(event=event)
            published += 1
        self.message_user(request, ngettext("%(n)d event published.", "%(n)d events published.", published)
                          % {"n": published})

    @admin.action(description=_("Cancel selected events and tell registrants"), permissions=["change"])
    def cancel_events(self, request, queryset):
        # Only published events: a draft is never published by being cancelled.
        told = sum(changes.event_cancel(event=event) for event in queryset.filter(status=EventStatus.PUBLISHED))
        self.message_user(request, ngettext("%(n)d registrant told.", "%(n)d registrants told.", told) % {"n": told})


@admin.register(Registration)
class RegistrationAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    class EventFilter(ManyChoicesListFilter):
        """Events around today (two weeks back, a month ahead) rather than every event ever held;
        any other event is reached by searching its title, and stays listed once chosen."""

        title = _("event")
        parameter_name = "event__id__exact"  # the parameter Django's own event filter used

        def lookups(self, request, model_admin):
            return [(pk, f"{title} ({timezone.localtime(starts_at):%Y-%m-%d})") for pk, title, starts_at
                    in events_around_today(also=self._event_id()).values_list("pk", "title", "starts_at")]

        def queryset(self, request, queryset):
            if self.value() is None:
                return queryset
            if self._event_id() is None:
                raise admin.options.IncorrectLookupParameters
            return queryset.filter(event_id=self._event_id())

        def _event_id(self) -> int | None:
            return int(self.value()) if self.value() and self.value().isdigit() else None

    list_display = ["event", "user", "status", "children_count", "created_at", "checked_in_at"]
    list_filter = ["status", ("checked_in_at", admin.EmptyFieldListFilter), EventFilter]
    search_fields = ["event__title", "user__profile__real_name", "user__email", "user__phone"]
    list_select_related = ["event", "user"]
    # Newest first, along the primary key's index (sorting a million rows by date is a scan).
    ordering = ["-pk"]
    actions = ["approve", "reject"]
    readonly_fields = ["event", "user", "status", "children_count", "children_ages", "created_at",
                       "decided_at", "cancelled_at", "checked_in_at", "checked_in_by"]

    def has_add_permission(self, request):
        return False

    def _decide(self, request, queryset, *, approve: bool) -> None:
        pending = list(queryset.filter(status=RegistrationStatus.PENDING).values_list("pk", flat=True))
        n = booking.registrations_decide(registration_ids=pending, approve=approve)
        self.message_user(request, ngettext("%(n)d sign-up decided.", "%(n)d sign-ups decided.", n) % {"n": n})

    @admin.action(description=_("Approve selected sign-ups"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject selected sign-ups"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)
