from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services")

    def ready(self) -> None:
        from xiangcheng.core.bulk import bulk_loader
        from xiangcheng.core.demo import demo_loader

        from . import roles, sections  # noqa: F401 - roles: grants to the staff roles

        sections.register()
        demo_loader(key="services", load="services.demo.demo_load", order=30)
        bulk_loader(key="services", load="services.bulk.bulk_load", order=30)
        # Service requests (相链她科企): their notice kinds, programme section, demo and bulk data.
        from . import request_notices  # noqa: F401 - declares the notice kinds

        sections.register_requests()
        demo_loader(key="service_requests", load="services.request_demo.demo_load", order=40)
        bulk_loader(key="service_requests", load="services.request_bulk.bulk_load", order=40)
