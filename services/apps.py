from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self) -> None:
        from . import roles, sections  # noqa: F401 - roles: grants to the staff roles

        sections.register()
