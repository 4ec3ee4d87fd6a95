"""A member an alliance story features: asked by staff, named on the story's page only while she
consents. The kernel's Story knows nothing of it (the kernel imports no app)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiangcheng.core import audit
from xiangcheng.core.row_loading import RowLoaded


class StoryFeatureStatus(models.TextChoices):
    ASKED = "asked", _("Asked, no answer yet")
    CONSENTED = "consented", _("Consented")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


# The one rule of who a story's page names: she consented (and has not withdrawn) and her account is open.
FEATURE_SHOWN = models.Q(status=StoryFeatureStatus.CONSENTED, member__is_active=True)


@audit.track(status="status")
class StoryFeature(RowLoaded, models.Model):
    story = models.ForeignKey("core.Story", on_delete=models.CASCADE, related_name="features",
                              verbose_name=_("story"))
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="story_features",
                               verbose_name=_("member"))
    status = models.CharField(_("status"), max_length=10, choices=StoryFeatureStatus.choices,
                              default=StoryFeatureStatus.ASKED)
    # Her consent, as every consent is recorded (who, what, policy version, given, withdrawn).
    consent = models.OneToOneField("members.Consent", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="story_feature", verbose_name=_("consent"))
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("member featured in a story")
        verbose_name_plural = _("members featured in stories")
        ordering = ["story", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["story", "member"], name="story_feature_once"),
            models.CheckConstraint(
                condition=~models.Q(status=StoryFeatureStatus.CONSENTED, consent__isnull=True),
                name="story_feature_consent_recorded"),
        ]
        indexes = [models.Index(fields=["story"], condition=models.Q(status=StoryFeatureStatus.CONSENTED),
                                name="story_features_shown")]

    def __str__(self) -> str:
        return f"{self.story} · {self.get_status_display()}"
