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
        # Who takes part in 遇见 (and in 交友) is shown in the consents' admin only to 遇见审核.
        from members.consents import consent_kind_guard
        from members.models import Consent

        for kind in (Consent.Kind.MATCHING, Consent.Kind.MATCHING_FRIENDSHIP):
            consent_kind_guard(kind=kind, permission="matching.view_matchprofile")
        demo_loader(key="matching", load="matching.demo.demo_load", order=50)
        bulk_loader(key="matching", load="matching.bulk.bulk_load", order=50)
        bulk_loader(key="matching-suggestions", load="matching.bulk.bulk_suggestions_load", order=51)
        # Introductions: their notice kinds, demo requests among the demo participants, bulk requests.
        from . import introduction_notices  # noqa: F401 - declares the notice kinds

        demo_loader(key="matching-introductions", load="matching.introduction_demo.demo_load", order=51)
        bulk_loader(key="matching-introductions", load="matching.introduction_bulk.bulk_load", order=52)
