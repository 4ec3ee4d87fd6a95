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
        # Jobs (新城招聘): the programme section, demo and bulk data.
        sections.register_jobs()
        demo_loader(key="jobs", load="services.job_demo.demo_load", order=40)
        bulk_loader(key="jobs", load="services.job_bulk.bulk_load", order=40)


        # Federation offerings: their programme section, demo and bulk data.
        from . import offering_sections

        offering_sections.register()
        demo_loader(key="offerings", load="services.offering_demo.demo_load", order=35)
        bulk_loader(key="offerings", load="services.offering_bulk.bulk_load", order=35)
