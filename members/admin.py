from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xiangcheng.core.admin import AuditHistoryMixin
from xiangcheng.core.changelists import LargeChangeListMixin

from .admin_forms import OrganisationRejectForm, RejectForm
from .consents import consent_kinds_hidden_from
from .membership import MembershipError, profiles_approve, profiles_reject
from .models import Consent, MemberProfile, Organisation, OrganisationInvitation, Representative, User
from .organisations import OrganisationError, organisations_reject, organisations_verify, women_led_confirm


@admin.register(User)
class AccountAdmin(LargeChangeListMixin, AuditHistoryMixin, UserAdmin):
    list_display = ["username", "email", "phone", "phone_verified", "is_staff", "date_joined"]
    search_fields = ["username", "email", "phone"]
    fieldsets = UserAdmin.fieldsets + ((_("Mobile"), {"fields": ["phone", "phone_verified"]}),)


@admin.register(MemberProfile)
class MemberProfileAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["real_name", "category", "organisation", "field", "city", "status", "submitted_at"]
    list_filter = ["status", "category", "field", "city"]
    search_fields = ["real_name", "organisation", "user__email", "user__phone"]
    ordering = ["status", "submitted_at"]
    actions = ["approve", "reject"]
    # Status only changes through the review actions, so every change is recorded.
    # Her photo is hers to upload (through the file gate) or remove; staff only see it.
    readonly_fields = ["user", "status", "submitted_at", "reviewed_at", "reviewed_by", "rejection_reason",
                       "avatar", "avatar_thumb"]
    list_select_related = ["user"]

    def has_review_permission(self, request):
        return request.user.has_perm("members.review_memberprofile")

    @admin.action(description=_("Approve selected applications"), permissions=["review"])
    def approve(self, request, queryset):
        count = profiles_approve(profile_ids=queryset.values_list("pk", flat=True), reviewer=request.user)
        self.message_user(request, ngettext("%(n)d application approved.", "%(n)d applications approved.", count) % {"n": count})

    @admin.action(description=_("Reject selected applications (with a reason)"), permissions=["review"])
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                count = profiles_reject(
                    profile_ids=queryset.values_list("pk", flat=True), reviewer=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except MembershipError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d application rejected.", "%(n)d applications rejected.", count) % {"n": count})
            return None
        return render(request, "admin/members/reject.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Reject applications"),
        })


@admin.register(Consent)
class ConsentAdmin(LargeChangeListMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "version", "granted_at", "withdrawn_at"]
    list_filter = ["kind", "version"]
    # Newest first by primary key, the order they were written (their time is set on insert and
    # never changed): read backwards by the primary key's index, not a sort of every row.
    ordering = ["-pk"]
    readonly_fields = ["user", "kind", "version", "granted_at", "withdrawn_at"]

    def get_queryset(self, request):
        # Kinds another app guards (遇见's) only for staff with its permission.
        return super().get_queryset(request).exclude(kind__in=consent_kinds_hidden_from(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Organisations: the 企业服务 review queue ------------------------------------------------------
class RepresentativeInline(admin.TabularInline):
    model = Representative
    fk_name = "organisation"
    fields = ["user", "invited_by", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "industry", "city", "status", "women_led", "women_led_confirmed",
                    "created_at"]
    list_filter = ["status", "kind", "industry", "city", "women_led", "women_led_confirmed"]
    search_fields = ["name", "=credit_code"]
    # The queue: pending first (the status values sort that way), oldest first.
    ordering = ["status", "created_at"]
    actions = ["verify", "reject", "confirm_women_led", "withdraw_women_led"]
    # Status and the badge change only through the actions, so every decision is recorded with its reason.
    readonly_fields = ["status", "reviewed_at", "reviewed_by", "rejection_reason", "women_led_confirmed",
                       "registered_by", "created_at", "logo", "logo_thumb"]
    inlines = [RepresentativeInline]

    def has_add_permission(self, request):
        return False  # a representative registers it, and becomes its first representative

    def has_verify_permission(self, request):
        return request.user.has_perm("members.verify_organisation")

    @admin.action(description=_("Verify selected organisations"), permissions=["verify"])
    def verify(self, request, queryset):
        count = organisations_verify(organisation_ids=queryset.values_list("pk", flat=True), reviewer=request.user)
        self.message_user(request, ngettext("%(n)d organisation verified.", "%(n)d organisations verified.",
                                            count) % {"n": count})

    @admin.action(description=_("Reject selected organisations (with a reason)"), permissions=["verify"])
    def reject(self, request, queryset):
        form = OrganisationRejectForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            try:
                count = organisations_reject(organisation_ids=queryset.values_list("pk", flat=True),
                                             reviewer=request.user, reason=form.cleaned_data["reason"])
            except OrganisationError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d organisation rejected.", "%(n)d organisations rejected.",
                                                count) % {"n": count})
            return None
        return render(request, "admin/members/organisation_reject.html", {
            **self.admin_site.each_context(request), "form": form, "selected": queryset,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Reject organisations"),
        })

    @admin.action(description=_("Confirm the women-led badge"), permissions=["verify"])
    def confirm_women_led(self, request, queryset):
        count = women_led_confirm(organisation_ids=queryset.values_list("pk", flat=True), reviewer=request.user,
                                  confirmed=True)
        self.message_user(request, ngettext("%(n)d badge confirmed.", "%(n)d badges confirmed.", count) % {"n": count})

    @admin.action(description=_("Withdraw the women-led badge"), permissions=["verify"])
    def withdraw_women_led(self, request, queryset):
        count = women_led_confirm(organisation_ids=queryset.values_list("pk", flat=True), reviewer=request.user,
                                  confirmed=False)
        self.message_user(request, ngettext("%(n)d badge withdrawn.", "%(n)d badges withdrawn.", count) % {"n": count})


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(LargeChangeListMixin, admin.ModelAdmin):
    list_display = ["organisation", "email", "phone", "invited_by", "created_at", "expires_at", "accepted_at",
                    "revoked"]
    list_filter = ["revoked"]
    search_fields = ["organisation__name", "=email", "=phone"]
    list_select_related = ["organisation", "invited_by"]
    # The token is the invitation's key: staff never see it.
    exclude = ["token"]
    readonly_fields = ["organisation", "invited_by", "email", "phone", "created_at", "expires_at", "accepted_at",
                       "accepted_by", "revoked"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- Stories (科创故事): the members a story features, an inline on the story's admin page -------
from . import story_feature_admin  # noqa: E402, F401
