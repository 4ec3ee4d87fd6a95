"""The kernel's tables: the five programmes, and (below) the one notification outbox."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """One of the district plan's five programmes; everything the alliance offers belongs to one."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    slug = models.SlugField(_("slug"), max_length=30, unique=True)
    slogan = models.CharField(_("slogan"), max_length=60)
    description = models.TextField(_("description"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(
        _("colour"), max_length=7, default="#c2185b",
        help_text=_("A hex colour such as #c2185b, used for the programme's card."),
    )
    icon = models.CharField(_("icon"), max_length=4, help_text=_("One character shown on the card."))

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"),
                                   name="programme_colour_hex"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.slug])
