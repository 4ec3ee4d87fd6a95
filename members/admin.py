from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xiangcheng.core.admin import AuditHistoryMixin
from xiangcheng.core.changelists import LargeChangeListMixin

from .admin_forms import RejectForm
from .membership import MembershipError, profiles_approve, profiles_reject
from .models import Consent, MemberProfile, User


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
            **self.admin_site.each_context(request), "form": form, "profiles": queryset,
            "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "title": _("Reject applications"),
        })


@admin.register(Consent)
class ConsentAdmin(LargeChangeListMixin, admin.ModelAdmin):
    list_display = ["user", "kind", "version", "granted_at", "withdrawn_at"]
    list_filter = ["kind", "version"]
    readonly_fields = ["user", "kind", "version", "granted_at", "withdrawn_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
