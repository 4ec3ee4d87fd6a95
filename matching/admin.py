"""遇见 in admin: match profiles, read-only, for the 遇见审核 role (view permission) alone."""

from django.contrib import admin

from xiangcheng.core.admin import AuditHistoryMixin
from xiangcheng.core.changelists import LargeChangeListMixin

from .models import MatchProfile


@admin.register(MatchProfile)
class MatchProfileAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    # No phone or email in the list: contacts are shared only between two members who agreed.
    list_display = ["member_name", "purposes", "cities", "status", "joined_at"]
    list_filter = ["status"]
    search_fields = ["user__profile__real_name"]
    list_select_related = ["user__profile"]
    ordering = ["-joined_at", "-pk"]
    fields = ["member_name", "purposes", "interests", "fields", "cities", "introduction", "show_photo",
              "age_min", "age_max", "age_visibility", "hometown", "hometown_visibility", "status", "joined_at"]
    readonly_fields = fields

    @admin.display(description=MatchProfile._meta.get_field("user").verbose_name)
    def member_name(self, obj: MatchProfile) -> str:
        profile = getattr(obj.user, "profile", None)
        return profile.real_name if profile else str(obj.pk)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Safety: the moderation queue of reports (遇见审核) -------------------------------------------
from django.contrib import messages  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from django.utils.translation import ngettext  # noqa: E402

from members.profiles import person_name  # noqa: E402

from . import safety  # noqa: E402
from .models import Report, ReportStatus  # noqa: E402
from .profiles import MatchError  # noqa: E402
from .safety_forms import DecisionForm  # noqa: E402


class ReportQueueFilter(admin.SimpleListFilter):
    """The queue opens on the open reports, oldest first; the handled ones are a click away."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("handled", _("Handled")), ("all", _("All"))]

    def choices(self, changelist):
        current = self.value() or "open"
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "query_string": changelist.get_query_string({self.parameter_name: value}),
                   "display": label}

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(status=ReportStatus.OPEN)
        if value == "handled":
            return queryset.exclude(status=ReportStatus.OPEN)
        return queryset


@admin.register(Report)
class ReportAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    # Names only: no phone, email or organisation contact of either side.
    list_display = ["reported_name", "reporter_name", "reason", "status", "created_at"]
    list_filter = [ReportQueueFilter, "reason"]
    list_select_related = ["reporter__profile", "reported__profile"]
    ordering = ["created_at", "pk"]
    fields = ["reported_name", "reporter_name", "reason", "details", "status", "created_at", "handled_at",
              "handler_name"]
    readonly_fields = fields
    actions = ["warn", "suspend", "dismiss"]

    @admin.display(description=Report._meta.get_field("reported").verbose_name)
    def reported_name(self, obj: Report) -> str:
        return person_name(obj.reported)

    @admin.display(description=Report._meta.get_field("reporter").verbose_name)
    def reporter_name(self, obj: Report) -> str:
        return person_name(obj.reporter)

    @admin.display(description=Report._meta.get_field("handled_by").verbose_name)
    def handler_name(self, obj: Report) -> str:
        return person_name(obj.handled_by, masked_contact=True) if obj.handled_by_id else "—"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("matching.moderate_report")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @staticmethod
    def _named(report: Report) -> Report:
        report.reported_name, report.reporter_name = person_name(report.reported), person_name(report.reporter)
        return report

    def _decide(self, request, queryset, *, outcome: str, action: str, title, explanation, submit):
        form = DecisionForm(request.POST if "note" in request.POST else None)
        if form.is_valid():
            try:
                count = safety.reports_decide(report_ids=list(queryset.values_list("pk", flat=True)),
                                              moderator=request.user, outcome=outcome,
                                              note=form.cleaned_data["note"])
            except MatchError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d report decided.", "%(n)d reports decided.", count)
                              % {"n": count})
            return None
        return render(request, "admin/matching/report/decide.html", {
            **self.admin_site.each_context(request), "form": form,
            "selected": [self._named(r) for r in queryset.select_related("reporter__profile", "reported__profile")],
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": title, "explanation": explanation, "submit": submit, "action": action,
        })

    @admin.action(description=_("Warn the reported member"), permissions=["moderate"])
    def warn(self, request, queryset):
        return self._decide(request, queryset, outcome=ReportStatus.WARNED, action="warn",
                            title=_("Warn the reported member"), submit=_("Warn"),
                            explanation=_("The reported member is sent a reminder of 遇见's rules. Each reporter is "
                                          "told her report was handled, not the outcome."))

    @admin.action(description=_("Suspend the reported member from 遇见"), permissions=["moderate"])
    def suspend(self, request, queryset):
        return self._decide(request, queryset, outcome=ReportStatus.SUSPENDED, action="suspend",
                            title=_("Suspend from 遇见"), submit=_("Suspend"),
                            explanation=_("The reported member disappears from suggestions at once, her requests "
                                          "waiting for an answer are cancelled and she is told. Each reporter is "
                                          "told her report was handled, not the outcome."))

    @admin.action(description=_("Dismiss the report"), permissions=["moderate"])
    def dismiss(self, request, queryset):
        return self._decide(request, queryset, outcome=ReportStatus.DISMISSED, action="dismiss",
                            title=_("Dismiss the reports"), submit=_("Dismiss"),
                            explanation=_("Nothing happens to the reported member. Each reporter is told her report "
                                          "was handled, not the outcome."))
