from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Notice, Programme
from .outbox import kinds_visible_to, notices_retry


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slogan", "order", "slug"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """Every message the portal sent or tried to send; failed ones can be retried."""

    list_display = ["created_at", "kind", "recipient", "state", "channels_sent", "attempts", "sent_at"]
    list_filter = ["state", "kind", "staff_only"]
    search_fields = ["key", "subject", "recipient__email", "recipient__phone"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
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
