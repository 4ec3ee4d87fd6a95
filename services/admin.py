from django import forms
from django.contrib import admin, messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.profiles import person_name
from xiangcheng.core.admin import AuditHistoryMixin, HistoryRow
from xiangcheng.core.changelists import LargeChangeListMixin

from . import inbox, jobs, offerings
from .history import ticket_history
from .job_forms import JobRejectForm
from .models import (
    OPEN_STATUSES,
    Application,
    Attachment,
    CannedReply,
    CategorySla,
    Job,
    Offering,
    OfferingAppointment,
    OfferingSlot,
    SlotBooking,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from .offerings import offering_slots_counted
from .sla import is_overdue, list_turns_at, overdue_q
from .stats import inbox_stats


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q())
        if self.value() == "no":
            return queryset.exclude(overdue_q())
        return queryset


class AssigneeListFilter(admin.RelatedFieldListFilter):
    """The staff a ticket may be assigned to (a short list), not every account ever assigned one,
    which costs a scan of all tickets on each page."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, str(user)) for user in inbox.assignable_staff().order_by("username")]


class MessageInline(admin.TabularInline):
    model = TicketMessage
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "kind", "body"]
    readonly_fields = fields

    @admin.display(description=_("kind"))
    def kind(self, obj):
        if obj.internal:
            return format_html('<strong class="internal-note">{}</strong>', _("internal note"))
        return _("to the member") if obj.from_staff else _("from the member")

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ["link", "content_type", "size", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("services:attachment", args=[obj.ticket.reference, obj.pk]),
                           obj.name)

    def has_add_permission(self, request, obj=None):
        return False


class TicketAdminForm(forms.ModelForm):
    """Assignee, status and priority, plus a reply box; saving goes through services.inbox."""

    canned = forms.ModelChoiceField(label=_("Canned reply"), queryset=CannedReply.objects.all(), required=False,
                                    help_text=_("Used as the reply when the reply box is empty."))
    reply = forms.CharField(label=_("Reply"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (never shown to the member)"), required=False)

    class Meta:
        model = Ticket
        fields = ["assignee", "status", "priority"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = inbox.assignable_staff()


@admin.register(Ticket)
class TicketAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    form = TicketAdminForm
    list_display = ["reference", "subject", "category", "status", "priority", "assignee", "due", "created_at"]
    list_filter = ["status", "category", "priority", ("assignee", AssigneeListFilter), OverdueFilter]
    search_fields = ["reference", "subject", "member__profile__real_name", "member__email", "member__phone"]
    list_select_related = ["assignee"]
    actions = ["assign_to_me"]
    inlines = [MessageInline, AttachmentInline]
    readonly_fields = ["reference", "member", "category", "subject", "description", "preferred_contact",
                       "created_at", "due_at", "first_response_at", "closed_at", "rating", "rating_comment"]
    fieldsets = [
        (None, {"fields": ["reference", "member", "category", "subject", "description", "preferred_contact"]}),
        (_("Handling"), {"fields": ["assignee", "status", "priority", "created_at", "due_at",
                                    "first_response_at", "closed_at"]}),
        (_("Answer"), {"fields": ["canned", "reply", "internal"]}),
        (_("Rating"), {"fields": ["rating", "rating_comment"]}),
    ]
    change_list_template = "admin/services/ticket/change_list.html"

    def has_add_permission(self, request):
        return False

    def history_rows(self, obj):
        # The ticket's steps (replies and notes included), read from the audit trail.
        return [HistoryRow(at=s.at, who=str(s.actor or "—"), what=s.title, reason=s.reason,
                           changes=[(s.field, s.old_text, s.new_text)] if s.field else [])
                for s in ticket_history(obj)]

    @admin.display(description=_("answer due by"), ordering="due_at")
    def due(self, obj):
        text = timezone.localtime(obj.due_at).strftime("%Y-%m-%d")
        if is_overdue(obj):
            return format_html('<strong class="overdue">{} · {}</strong>', text, _("overdue"))
        return text

    def save_model(self, request, obj, form, change):
        # Fields change only through the domain functions, which keep the ticket's history.
        ticket = Ticket.objects.get(pk=obj.pk)
        data = form.cleaned_data
        if "assignee" in form.changed_data:
            inbox.ticket_assign(ticket=ticket, assignee=data["assignee"], actor=request.user)
        if "priority" in form.changed_data:
            inbox.ticket_set_priority(ticket=ticket, priority=data["priority"], actor=request.user)
        text = data["reply"] or (data["canned"].body if data["canned"] else "")
        status_changed = "status" in form.changed_data
        if text and not data["internal"]:
            inbox.ticket_reply(ticket=ticket, author=request.user, body=text,
                               status=data["status"] if status_changed else TicketStatus.ANSWERED)
            return
        if text:
            inbox.ticket_reply(ticket=ticket, author=request.user, body=text, internal=True)
        if status_changed:
            inbox.ticket_set_status(ticket=ticket, status=data["status"], actor=request.user)

    def save_related(self, request, form, formsets, change):
        # The inlines are read-only, so saving their formsets writes nothing; it must still run,
        # because the admin's change message reads what each formset saved (a bare ``pass`` made
        # every save of a ticket fail with AttributeError: no attribute 'new_objects').
        for formset in formsets:
            formset.save()

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = 0
        for ticket in queryset.filter(status__in=OPEN_STATUSES):
            try:
                inbox.ticket_assign(ticket=ticket, assignee=request.user, actor=request.user)
                count += 1
            except inbox.InboxError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
        self.message_user(request, ngettext("%(n)d ticket assigned to you.", "%(n)d tickets assigned to you.",
                                            count) % {"n": count})

    def changelist_rendered(self, request, extra_context=None):
        response = super().changelist_rendered(request, {**(extra_context or {}), "inbox_stats": inbox_stats()})
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            request.tickets_shown = list(context["cl"].result_list)
        return response

    def kept_seconds(self, request, started):
        # Its figures are kept a minute anyway (KEPT_SECONDS at most).
        turns = list_turns_at(shown=getattr(request, "tickets_shown", None),
                              by_overdue=OverdueFilter.parameter_name in request.GET, now=started)
        kept = super().kept_seconds(request, started)
        return min(kept, (turns - started).total_seconds()) if turns is not None else kept


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "category"]
    list_filter = ["category"]
    search_fields = ["title", "body"]


@admin.register(CategorySla)
class CategorySlaAdmin(admin.ModelAdmin):
    list_display = ["category", "working_days"]


# --- Jobs (新城招聘): staff in 企业服务 publish or reject (with a reason) ------------------------------

class AwaitingReviewFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", _("Awaiting review (new or edited)"))]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(jobs.awaiting_review_q())
        return queryset


@admin.register(Job)
class JobAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "edit_waiting", "closes_on", "submitted_at", "published_at"]
    list_filter = [AwaitingReviewFilter, "status", "education", "city"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation"]
    ordering = ["-submitted_at", "-pk"]
    actions = ["publish", "reject"]
    # The status changes only through the review actions (and the organisation's own steps).
    readonly_fields = ["organisation", "programme", "title", "city", "location", "salary_min", "salary_max",
                       "education", "headcount", "description", "closes_on", "status", "rejection_reason",
                       "pending_changes", "changes_submitted_at", "submitted_at", "reviewed_at", "reviewed_by",
                       "published_at", "created_by", "created_at"]
    exclude = ["updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return request.user.has_perm("services.moderate_job")

    @admin.display(description=_("edit awaiting review"), boolean=True)
    def edit_waiting(self, obj):
        return obj.changes_submitted_at is not None

    @admin.action(description=_("Publish selected jobs (or their edits)"), permissions=["moderate"])
    def publish(self, request, queryset):
        try:
            count = jobs.jobs_publish(job_ids=queryset.values_list("pk", flat=True), reviewer=request.user)
        except jobs.JobError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, ngettext("%(n)d job published.", "%(n)d jobs published.", count) % {"n": count})

    @admin.action(description=_("Reject selected jobs or edits (with a reason)"), permissions=["moderate"])
    def reject(self, request, queryset):
        form = JobRejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                count = jobs.jobs_reject(job_ids=queryset.values_list("pk", flat=True), reviewer=request.user,
                                         reason=form.cleaned_data["reason"])
            except jobs.JobError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d job not published.", "%(n)d jobs not published.", count)
                              % {"n": count})
            return None
        return render(request, "admin/services/job/reject.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset.select_related("organisation"),
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Reject jobs"),
        })


@admin.register(Application)
class ApplicationAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["job", "applicant", "status", "created_at", "cv_link"]
    list_filter = ["status"]
    search_fields = ["job__title", "job__organisation__name"]
    list_select_related = ["job", "member__profile"]
    # Newest first by primary key, the order they were written: no sort of every application.
    ordering = ["-pk"]
    fields = ["job", "applicant", "message", "cv_link", "status", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("applicant"))
    def applicant(self, obj):
        return person_name(obj.member)

    @admin.display(description=_("CV"))
    def cv_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.cv.url, obj.cv_name) if obj.cv else "—"



# --- Federation offerings: 企业服务 publishes them and keeps their slots; bookings are read-only.

class OfferingSlotInline(admin.TabularInline):
    """The offering's slots that have not ended (past slots stay on the slots list)."""

    model = OfferingSlot
    fields = ["starts_at", "ends_at", "capacity", "booked"]
    readonly_fields = ["booked"]
    extra = 3

    def get_queryset(self, request):
        return offering_slots_counted(super().get_queryset(request).filter(ends_at__gte=timezone.now()))

    @admin.display(description=_("booked"))
    def booked(self, obj):
        return getattr(obj, "booked_n", 0)


@admin.register(Offering)
class OfferingAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "provider", "mode", "category", "published"]
    list_filter = ["published", "programme", "mode"]
    list_select_related = ["programme"]
    search_fields = ["title", "provider"]
    inlines = [OfferingSlotInline]
    actions = ["publish", "withdraw"]

    def _publish(self, request, queryset, *, published: bool) -> None:
        count = offerings.offerings_publish(offering_ids=queryset.values_list("pk", flat=True), published=published,
                                            actor=request.user)
        done = (ngettext("%(n)d offering published.", "%(n)d offerings published.", count) if published
                else ngettext("%(n)d offering withdrawn.", "%(n)d offerings withdrawn.", count))
        self.message_user(request, done % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected offerings"), permissions=["change"])
    def publish(self, request, queryset):
        self._publish(request, queryset, published=True)

    @admin.action(description=_("Withdraw the selected offerings"), permissions=["change"])
    def withdraw(self, request, queryset):
        self._publish(request, queryset, published=False)


class SlotBookingInline(admin.TabularInline):
    model = SlotBooking
    fields = ["member", "status", "created_at", "cancelled_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfferingSlot)
class OfferingSlotAdmin(LargeChangeListMixin, admin.ModelAdmin):
    """Each slot with its bookings: who booked, who cancelled."""

    list_display = ["__str__", "starts_at", "capacity", "booked"]
    list_filter = ["offering"]
    date_hierarchy = "starts_at"
    inlines = [SlotBookingInline]
    fields = ["offering", "starts_at", "ends_at", "capacity"]

    def get_queryset(self, request):
        return offering_slots_counted(super().get_queryset(request).select_related("offering"))

    @admin.display(description=_("booked"))
    def booked(self, obj):
        return getattr(obj, "booked_n", 0)


@admin.register(SlotBooking)
class SlotBookingAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["slot", "member", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["slot__offering", "member"]
    # Newest first by primary key, the order they were written (their time is set on insert and
    # never changed): read backwards by the primary key's index, not a sort of every booking.
    ordering = ["-pk"]
    raw_id_fields = ["slot", "member"]
    readonly_fields = ["slot", "member", "status", "created_at", "cancelled_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfferingAppointment)
class OfferingAppointmentAdmin(admin.ModelAdmin):
    list_display = ["offering", "ticket", "created_at"]
    list_select_related = ["offering", "ticket"]
    list_filter = ["offering"]
    readonly_fields = ["offering", "ticket", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False



# --- Service requests (相链她科企): moderated by 企业服务 -------------------------------------------
from django.utils.html import format_html_join  # noqa: E402

from . import requests as service_requests  # noqa: E402
from .models import RequestResponse, ServiceRequest  # noqa: E402
from .request_forms import RejectRequestForm  # noqa: E402


class RequestAwaitingReviewFilter(admin.SimpleListFilter):
    """New service requests awaiting review, and published ones with an edit awaiting it."""

    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("awaiting", _("Awaiting review (new or edited)"))]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(service_requests.awaiting_review_q())
        return queryset


@admin.register(ServiceRequest)
class ServiceRequestAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["title", "organisation", "category", "field", "status", "edit_awaiting", "deadline",
                    "submitted_at"]
    list_filter = [RequestAwaitingReviewFilter, "status", "category", "field"]
    search_fields = ["title", "organisation__name"]
    list_select_related = ["organisation"]
    ordering = ["-submitted_at", "-pk"]
    actions = ["publish", "reject"]
    # Every status change goes through the actions (services/requests.py), so each is recorded.
    readonly_fields = ["organisation", "posted_by", "category", "title", "description", "field", "budget", "deadline",
                       "programme", "status", "rejection_reason", "pending_edit", "submitted_at", "published_at",
                       "closed_at", "created_at"]
    exclude = ["pending_changes"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("posted by"))
    def posted_by(self, obj):
        return person_name(obj.author)

    @admin.display(description=_("edit awaiting review"), boolean=True)
    def edit_awaiting(self, obj):
        return obj.edit_pending

    @admin.display(description=_("edit awaiting review"))
    def pending_edit(self, obj):
        """The edit side by side with the published copy it would replace."""
        if not obj.pending_changes:
            return "—"
        edited = ServiceRequest(**service_requests.pending_values(obj))
        rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", (
            (ServiceRequest._meta.get_field(name).verbose_name, _display(obj, name), _display(edited, name))
            for name in obj.pending_changes))
        return format_html('<table class="pending-edit"><thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>'
                           "<tbody>{}</tbody></table>", _("published"), _("proposed"), rows)

    @admin.action(description=_("Publish selected requests (or their edits)"), permissions=["change"])
    def publish(self, request, queryset):
        outcome = service_requests.requests_publish(request_ids=queryset.values_list("pk", flat=True),
                                                    reviewer=request.user)
        self.message_user(request, ngettext("%(n)d request published.", "%(n)d requests published.",
                                            outcome.published) % {"n": outcome.published})
        if outcome.past_deadline:
            self.message_user(request, ngettext(
                "%(n)d request was not published: its deadline has passed. It stays awaiting review; "
                "ask the organisation for a new deadline, or do not publish it.",
                "%(n)d requests were not published: their deadline has passed. They stay awaiting review; "
                "ask the organisation for a new deadline, or do not publish them.",
                outcome.past_deadline) % {"n": outcome.past_deadline}, messages.WARNING)

    @admin.action(description=_("Do not publish selected requests (or their edits), with a reason"),
                  permissions=["change"])
    def reject(self, request, queryset):
        form = RejectRequestForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                count = service_requests.requests_reject(request_ids=queryset.values_list("pk", flat=True),
                                                         reviewer=request.user, reason=form.cleaned_data["reason"])
            except service_requests.RequestError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d request not published.", "%(n)d requests not published.",
                                                count) % {"n": count})
            return None
        return render(request, "admin/services/servicerequest/reject.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset.select_related("organisation"),
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Do not publish requests"),
        })


def _display(obj, name: str) -> str:
    method = getattr(obj, f"get_{name}_display", None)
    return str(method()) if method else str(getattr(obj, name))


@admin.register(RequestResponse)
class RequestResponseAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Who responded and what each side agreed to share, and when; never the contacts themselves."""

    list_display = ["request", "who", "status", "share_email", "share_phone", "consented_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["request", "member__profile"]
    search_fields = ["request__title"]
    # Oldest first by primary key, the order they were written (their time is set on insert):
    # read by the primary key's index, not a sort of every response.
    ordering = ["pk"]
    fields = ["request", "who", "message", "status", "share_email", "share_phone", "consented_at", "decider",
              "org_share_email", "org_share_phone", "decided_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("member"))
    def who(self, obj):
        return person_name(obj.member)

    @admin.display(description=_("decided by"))
    def decider(self, obj):
        return person_name(obj.decided_by)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Calls (相创她数智): staff write and publish calls; applications are counted here ------------

from . import call_reviews  # noqa: E402
from . import calls as call_rules  # noqa: E402
from .call_forms import CallCancelForm  # noqa: E402
from .models import Call, CallApplication, CallApplicationStatus, CallStatus  # noqa: E402


@admin.register(Call)
class CallAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "level", "programme", "status", "opens_on", "closes_on", "places",
                    "applications_count", "submitted_count"]
    list_filter = ["kind", "level", "status", "programme"]
    search_fields = ["title", "organiser"]
    list_select_related = ["programme"]
    ordering = ["-opens_on", "-pk"]
    actions = ["publish", "cancel"]
    # Publishing and cancelling go through the actions (audited, checked); the review's start is
    # the reviewers' step.
    readonly_fields = ["status", "published_at", "review_started_at", "created_by", "created_at",
                       "applications_count", "submitted_count"]
    fields = ["kind", "title", "organiser", "level", "programme", "field", "summary", "eligibility", "requirements",
              "opens_on", "closes_on", "places", *readonly_fields]

    # The total beside a filtered count would count every call's applications again.
    show_full_result_count = False

    def get_queryset(self, request):
        return call_reviews.calls_counted(super().get_queryset(request))

    @admin.display(description=_("applications"), ordering="applications_total")
    def applications_count(self, obj):
        return getattr(obj, "applications_total", 0)

    @admin.display(description=_("awaiting review"), ordering="submitted_total")
    def submitted_count(self, obj):
        return getattr(obj, "submitted_total", 0)

    def has_delete_permission(self, request, obj=None):
        # A call with applications is kept (the applications point at it); cancel it instead.
        return obj is not None and obj.status == CallStatus.DRAFT and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _each(self, request, queryset, step, done: str) -> None:
        count = 0
        for call in queryset.order_by("pk"):
            try:
                step(call=call, actor=request.user)
            except call_rules.CallError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"n": count})

    @admin.action(description=_("Publish selected calls"), permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, call_rules.call_publish, _("Calls published: %(n)d."))

    @admin.action(description=_("Cancel selected calls (asks first)"), permissions=["change"])
    def cancel(self, request, queryset):
        form = CallCancelForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._each(request, queryset, lambda call, actor: call_rules.call_cancel(call=call, actor=actor,
                                                                                    reason=reason),
                       _("Calls cancelled: %(n)d."))
            return None
        return render(request, "admin/services/call/cancel.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Cancel calls"),
        })


# --- Calls: 申报评审 reviews the applications (each decision through services/call_reviews.py) -------
from django.http import FileResponse, Http404, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.translation import gettext_noop  # noqa: E402

from xiangcheng.core.audit import record_access  # noqa: E402

from . import call_exports  # noqa: E402
from .call_review_forms import CallRefuseForm  # noqa: E402
from .models import CallAttachment  # noqa: E402

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@admin.register(CallApplication)
class CallApplicationAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Applications to calls: her name, never her contact details; decisions are actions."""

    list_display = ["call", "applicant", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "call__kind", "call__level"]
    search_fields = ["call__title"]
    list_select_related = ["call", "member__profile"]
    list_only = ("call", "call__title", "member", "member__username", "member__profile__real_name", "status",
                 "submitted_at", "decided_at")
    ordering = ["-submitted_at", "-pk"]
    actions = ["start_review", "shortlist", "refuse", "recommend", "record_selected", "record_awarded",
               "record_not_selected", "export_applicants"]
    fields = ["call", "applicant", "status", "reason", "statement", "attachment_links", "submitted_at",
              "decided_at", "created_at", "staff_notes"]
    readonly_fields = ["call", "applicant", "status", "reason", "statement", "attachment_links", "submitted_at",
                       "decided_at", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return request.user.has_perm("services.review_callapplication")

    @admin.display(description=_("applicant"))
    def applicant(self, obj):
        return person_name(obj.member)

    @admin.display(description=_("attachments"))
    def attachment_links(self, obj):
        files = list(obj.attachments.all())
        if not files:
            return "—"
        return format_html_join(" · ", '<a href="{}">{}</a>', (
            (reverse("admin:services_callapplication_attachment", args=[obj.pk, f.pk]), f.name) for f in files))

    def save_model(self, request, obj, form, change):
        # Only the notes are edited here; the status changes through the review actions.
        if "staff_notes" in form.changed_data:
            call_reviews.application_set_notes(application=obj, actor=request.user, notes=obj.staff_notes)

    def get_urls(self):
        return [
            path("<int:pk>/attachments/<int:attachment>/", self.admin_site.admin_view(self.attachment),
                 name="services_callapplication_attachment"),
        ] + super().get_urls()

    def attachment(self, request, pk: int, attachment: int):
        """An attached file, for staff who may open applications' files; anyone else gets 404."""
        if not request.user.has_perm("services.view_callattachment"):
            raise Http404
        found = CallAttachment.objects.select_related("application").filter(pk=attachment, application_id=pk).first()
        if found is None:
            raise Http404
        record_access(found.application, actor=request.user, what=gettext_noop("application attachment"),
                      file=found.name)
        response = FileResponse(found.file.open("rb"), content_type=found.content_type,
                                as_attachment=found.content_type == "application/pdf", filename=found.name)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _decide(self, request, queryset, to: str, reason: str = "") -> None:
        try:
            count = call_reviews.applications_decide(application_ids=queryset.values_list("pk", flat=True),
                                                     actor=request.user, to=to, reason=reason)
        except call_reviews.CallReviewError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        self.message_user(request, ngettext("%(n)d application is now %(status)s.",
                                            "%(n)d applications are now %(status)s.", count)
                          % {"n": count, "status": CallApplicationStatus(to).label}, messages.SUCCESS)

    @admin.action(description=_("Start the review of their calls (applications can no longer be edited)"),
                  permissions=["review"])
    def start_review(self, request, queryset):
        started = 0
        for call in {application.call for application in queryset.select_related("call")}:
            try:
                call_reviews.review_start(call=call, actor=request.user)
                started += 1
            except call_reviews.CallReviewError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        if started:
            self.message_user(request, ngettext("The review of %(n)d call has started.",
                                                "The review of %(n)d calls has started.", started) % {"n": started})

    @admin.action(description=_("Passed first review"), permissions=["review"])
    def shortlist(self, request, queryset):
        self._decide(request, queryset, CallApplicationStatus.SHORTLISTED)

    @admin.action(description=_("Did not pass first review (with a reason)"), permissions=["review"])
    def refuse(self, request, queryset):
        form = CallRefuseForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            self._decide(request, queryset, CallApplicationStatus.NOT_SHORTLISTED, form.cleaned_data["reason"])
            return None
        return render(request, "admin/services/callapplication/refuse.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset.select_related("call"),
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Did not pass first review"),
        })

    @admin.action(description=_("Recommend (within the call's places)"), permissions=["review"])
    def recommend(self, request, queryset):
        self._decide(request, queryset, CallApplicationStatus.RECOMMENDED)

    @admin.action(description=_("Result: selected"), permissions=["review"])
    def record_selected(self, request, queryset):
        self._decide(request, queryset, CallApplicationStatus.SELECTED)

    @admin.action(description=_("Result: awarded"), permissions=["review"])
    def record_awarded(self, request, queryset):
        self._decide(request, queryset, CallApplicationStatus.AWARDED)

    @admin.action(description=_("Result: not selected"), permissions=["review"])
    def record_not_selected(self, request, queryset):
        self._decide(request, queryset, CallApplicationStatus.NOT_SELECTED)

    @admin.action(description=_("Export the applicants to Excel"), permissions=["review"])
    def export_applicants(self, request, queryset):
        response = HttpResponse(call_exports.applicants_xlsx(applications=queryset, actor=request.user),
                                content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{call_exports.applicants_filename()}"'
        return response
