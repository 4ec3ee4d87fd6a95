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
    # Newest first by primary key, the order they were written (their time is set on insert and
    # never changed): read backwards by the primary key's index, not a sort of every row.
    ordering = ["-pk"]
    fields = ["member_name", "purposes", "interests", "fields", "cities", "introduction", "show_photo",
              "age_min", "age_max", "age_visibility", "hometown", "hometown_visibility", "status", "joined_at"]
    readonly_fields = fields

    @admin.display(description=MatchProfile._meta.get_field("user").verbose_name)
    def member_name(self, obj: MatchProfile) -> str:
        profile = getattr(obj.user, "profile", None)
        return profile.real_name if profile else (obj.real_name or str(obj.pk))  # or joined 交友 alone

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- The real-name queue of 交友 alone (matching.name_checks) -------------------------------------
from django.contrib import messages  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402
from django.utils.translation import ngettext  # noqa: E402

from .models import MatchStatus, NameCheck  # noqa: E402
from .name_check_forms import NameRejectForm  # noqa: E402
from .name_checks import may_check, names_reject, names_verify  # noqa: E402
from .profiles import MatchError  # noqa: E402


class AwaitingFilter(admin.SimpleListFilter):
    """The queue opens on the profiles waiting for their check; refused ones are one click away."""

    title = _("real-name check")
    parameter_name = "check"

    def lookups(self, request, model_admin):
        return [("waiting", MatchStatus.AWAITING_CHECK.label), ("rejected", MatchStatus.REJECTED.label),
                ("all", _("All who joined alone"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or "waiting") == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        value = self.value() or "waiting"
        if value == "rejected":
            return queryset.filter(status=MatchStatus.REJECTED)
        if value == "all":
            return queryset
        return queryset.filter(status=MatchStatus.AWAITING_CHECK)


@admin.register(NameCheck)
class NameCheckAdmin(MatchProfileAdmin):  # read-only as well: the status moves through the actions alone
    # The moderator compares the real name with the one registered to her verified mobile number,
    # so the number is on the detail page (for 遇见审核 only), never in the list.
    list_display = ["real_name", "account_since", "status", "updated_at", "check_reason"]
    list_filter = [AwaitingFilter]
    search_fields = ["real_name"]
    ordering = ["updated_at", "pk"]
    actions = ["verify", "reject"]
    fields = ["real_name", "verified_mobile", "cities", "interests", "introduction", "status", "check_reason",
              "checked_at", "joined_at"]
    readonly_fields = fields
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(real_name="")

    @admin.display(description=_("account created"))
    def account_since(self, obj: NameCheck):
        return obj.user.date_joined

    @admin.display(description=_("verified mobile number"))
    def verified_mobile(self, obj: NameCheck) -> str:
        return obj.user.phone if obj.user.phone_verified else ""

    def has_check_permission(self, request) -> bool:
        return may_check(request.user)

    @admin.action(description=_("Verify the real names of the selected profiles"), permissions=["check"])
    def verify(self, request, queryset):
        count = names_verify(profile_ids=queryset.values_list("pk", flat=True), moderator=request.user)
        self.message_user(request, ngettext("%(n)d real name verified.", "%(n)d real names verified.", count)
                          % {"n": count})

    @admin.action(description=_("Reject the real names of the selected profiles (with a reason)"),
                  permissions=["check"])
    def reject(self, request, queryset):
        form = NameRejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                count = names_reject(profile_ids=queryset.values_list("pk", flat=True), moderator=request.user,
                                     reason=form.cleaned_data["reason"])
            except MatchError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d real name rejected.", "%(n)d real names rejected.", count)
                              % {"n": count})
            return None
        return render(request, "admin/matching/namecheck/reject.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Reject real names"),
        })


# --- Safety: the moderation queue of reports (遇见审核) -------------------------------------------
from members.profiles import person_name  # noqa: E402

from . import safety  # noqa: E402
from .models import Report, ReportStatus  # noqa: E402
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


# --- Introductions: who asked whom, and how it ended (never the message or any contact) ----------
from .models import Introduction  # noqa: E402


@admin.register(Introduction)
class IntroductionAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["sender_name", "recipient_name", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["sender__profile", "recipient__profile"]
    # Newest first by primary key, the order they were written (their time is set on insert and
    # never changed): read backwards by the primary key's index, not a sort of every row.
    ordering = ["-pk"]
    fields = ["sender_name", "recipient_name", "status", "created_at", "answered_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender__profile", "recipient__profile")

    @admin.display(description=Introduction._meta.get_field("sender").verbose_name)
    def sender_name(self, obj: Introduction) -> str:
        return person_name(obj.sender)

    @admin.display(description=Introduction._meta.get_field("recipient").verbose_name)
    def recipient_name(self, obj: Introduction) -> str:
        return person_name(obj.recipient)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
