from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Meet (遇见)")

    def ready(self) -> None:
        from xiangcheng.core.bulk import bulk_loader
        from xiangcheng.core.demo import demo_loader

        from . import roles, sections  # noqa: F401 - roles: grants to the staff roles

        sections.register()
        demo_loader(key="matching", load="matching.demo.demo_load", order=50)
        bulk_loader(key="matching", load="matching.bulk.bulk_load", order=50)
