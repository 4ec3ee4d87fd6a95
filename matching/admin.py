"""遇见 in admin: match profiles, read-only, for the 遇见审核 role (view permission) alone."""

from django.contrib import admin

from members.profiles import person_name
from xiangcheng.core.admin import AuditHistoryMixin
from xiangcheng.core.changelists import LargeChangeListMixin

from .models import Introduction, MatchProfile


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


# --- Introductions: who asked whom, and how it ended (never the message or any contact) ----------

@admin.register(Introduction)
class IntroductionAdmin(LargeChangeListMixin, AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["sender_name", "recipient_name", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["sender__profile", "recipient__profile"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender__profile", "recipient__profile")
    fields = ["sender_name", "recipient_name", "status", "created_at", "answered_at"]
    readonly_fields = fields

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
