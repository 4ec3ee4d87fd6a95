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

        # Service requests (相链她科企): their notice kinds, programme section, demo and bulk data.
        from . import request_notices  # noqa: F401 - declares the notice kinds

        sections.register_requests()
        demo_loader(key="service_requests", load="services.request_demo.demo_load", order=40)
        bulk_loader(key="service_requests", load="services.request_bulk.bulk_load", order=40)

        # An organisation's workbench (members) links to its requests and jobs.
        from members.workbench import workbench_link

        workbench_link(key="requests", label=_("Service requests"), url_name="services:organisation_requests",
                       order=10)
        workbench_link(key="jobs", label=_("Jobs"), url_name="services:organisation_jobs", order=20)

        # Retention (xiangcheng/core/retention.py): declined job applications and closed call
        # applications, with their files.
        from xiangcheng.core.retention import retention_purge

        retention_purge(key="declined_job_applications", period="declined_job_applications_days",
                        purge="services.retention.declined_job_applications_purge",
                        label=_("declined job applications"), order=40)
        retention_purge(key="closed_call_applications", period="closed_call_applications_days",
                        purge="services.retention.closed_call_applications_purge",
                        label=_("call applications not shortlisted, not selected or withdrawn"), order=45)

        # Calls (相创她数智), the member side: open calls on home and programme pages, demo and bulk data.
        sections.register_calls()
        demo_loader(key="calls", load="services.call_demo.demo_load", order=45)
        bulk_loader(key="calls", load="services.call_bulk.bulk_load", order=45)

        # Calls, the review side: its notice kinds, the 申报评审 demo login and bulk reviewer.
        from . import call_notices  # noqa: F401 - declares the notice kinds

        demo_loader(key="call_reviews", load="services.call_review_demo.demo_load", order=46)
        bulk_loader(key="call_reviews", load="services.call_review_bulk.bulk_load", order=46)

        # 我的授权: her contacts shared with organisations (per response), withdrawable.
        from . import consent_sources

        consent_sources.register()

        # The staff dashboard and monthly report: this app's figures (figures.py).
        from . import figures
        figures.register()

        # 我的数据: her tickets, responses, applications, bookings and call applications in her export.
        from . import personal_data

        personal_data.register()

        # 注销账号: what this app erases or makes anonymous when a member deletes her account.
        from . import erasure
        erasure.register()
