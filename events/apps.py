from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Programmes and events")

    def ready(self) -> None:
        from . import roles, sections  # noqa: F401 - roles: grants to the staff roles

        sections.register()
