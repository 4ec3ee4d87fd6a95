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

        # Retention (xiangcheng/core/retention.py): sign-ups that never verified anything.
        from xiangcheng.core.retention import retention_purge

        retention_purge(key="unverified_accounts", period="unverified_accounts_days",
                        purge="members.retention.unverified_accounts_purge", label=_("unverified sign-ups"), order=20)

        # Stories (科创故事): members a story features, with their consent — the notice kind, the
        # section on the kernel's story page, demo data.
        from . import story_feature_notices, story_feature_sections  # noqa: F401 - declares the notice kind

        story_feature_sections.register()
        demo_loader(key="story_features", load="members.story_feature_demo.demo_load", order=13)

        # 我的授权: the consents members keeps itself (the other apps register theirs in their ready())
        # and the notice confirming a withdrawal.
        from . import consent_notices, consent_sources  # noqa: F401 - declares its outbox kind

        consent_sources.register()

        # The staff dashboard and monthly report: this app's figures (figures.py).
        from . import figures
        figures.register()

        # 我的数据: what members keeps about her for the export of her personal data (the other apps
        # register theirs in their ready()), the notice when it is ready, and the retention of exports.
        from . import data_exports, personal_data, tasks  # noqa: F401 - its outbox kind; its build task by name

        personal_data.register()
        retention_purge(key="data_exports", period="data_exports_days",
                        purge="members.data_exports.data_exports_purge", label=_("personal data exports"), order=50)

        # 注销账号: the notice confirming a deletion, and what members (and, for it, the kernel)
        # erases; the other apps register their steps in their own ready().
        # (The erasure task, enqueued by name from any process, is known through tasks imported above.)
        from . import erasure_notices, erasure_steps  # noqa: F401 - declares its outbox kind

        erasure_steps.register()
