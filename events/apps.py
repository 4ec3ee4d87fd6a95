from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from xiangcheng.core.bulk import bulk_loader
        from xiangcheng.core.demo import demo_loader

        from . import roles, sections  # noqa: F401 - roles: grants to the staff roles

        sections.register()
        demo_loader(key="events", load="events.demo.demo_load", order=20)
        bulk_loader(key="events", load="events.bulk.bulk_load", order=20)

        # 我的授权: the guardian's consent to her children's data for childcare.
        from . import consent_sources

        consent_sources.register()

        # The staff dashboard and monthly report: this app's figures (figures.py).
        from . import figures
        figures.register()

        # 我的数据: her registrations (with childcare) and check-ins in the export of her data.
        from . import personal_data

        personal_data.register()

        # 注销账号: what this app erases or makes anonymous when a member deletes her account.
        from . import erasure
        erasure.register()
