from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from xiangcheng.core import audit
        from xiangcheng.core.bulk import bulk_loader
        from xiangcheng.core.demo import demo_loader

        from . import roles  # noqa: F401 - grants to the staff roles
        from .profiles import trail_name

        audit.account_naming(name=trail_name, related=["profile"])

        demo_loader(key="members", load="members.demo.demo_load", order=10)
        bulk_loader(key="members", load="members.bulk.bulk_load", order=10)

        # Organisations and their representatives: their notice kinds, demo and bulk data.
        from . import invitations, organisation_notices  # noqa: F401 - declare their outbox kinds

        demo_loader(key="organisations", load="members.organisation_demo.demo_load", order=15)
        bulk_loader(key="organisations", load="members.organisation_bulk.bulk_load", order=15)
        # The staff dashboard and monthly report: this app's figures (figures.py).
        from . import figures
        figures.register()
