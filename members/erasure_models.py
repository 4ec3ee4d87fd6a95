"""注销账号: the request to delete an account, kept until its erasure has run (members/erasure.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.row_loading import RowLoaded


class AccountErasure(RowLoaded, models.Model):
    """She confirmed the deletion of her account at ``requested_at``; the erasure job ran at
    ``erased_at`` (empty while it waits). The row names the account row that stays, anonymised."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure",
                                verbose_name=_("account"))
    requested_at = models.DateTimeField(_("deletion confirmed at"))
    erased_at = models.DateTimeField(_("data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        indexes = [models.Index(fields=["requested_at"], condition=models.Q(erased_at__isnull=True),
                                name="erasures_waiting")]

    def __str__(self) -> str:
        return f"#{self.user_id}"
