"""What the review side of calls keeps beyond the shared call models: the day a call's opening was
announced to the members who follow its kind or field (one row per call, so each call is announced
once however often the scan runs). Imported by ``services.models``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiangcheng.core.row_loading import RowLoaded

from .call_models import Call


class CallAnnouncement(RowLoaded, models.Model):
    """The scan announced this call's opening (the row is its claim: one per call)."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, primary_key=True, related_name="announcement",
                                verbose_name=_("call"))
    announced_at = models.DateTimeField(_("announced at"))
    followers = models.PositiveIntegerField(_("followers told"), default=0)

    class Meta:
        verbose_name = _("call opening announcement")
        verbose_name_plural = _("call opening announcements")

    def __str__(self) -> str:
        return str(self.call_id)
