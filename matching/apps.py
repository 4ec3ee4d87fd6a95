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

        # 遇见 联谊活动: the event audiences "遇见 participants" and "交友 circle" (matching/audiences.py).
        from . import audiences

        audiences.register()

        # 交友 alone: the real-name check's notice kind, and a verified and a waiting participant.
        from . import name_check_notices  # noqa: F401 - the notice kind

        demo_loader(key="matching-alone", load="matching.alone_demo.demo_load", order=52)
        bulk_loader(key="matching-alone", load="matching.alone_bulk.bulk_load", order=52)
        # A participant of 交友 alone logs in to her 遇见 page, not to the membership application.
        from members.adapter import login_destination

        from .models import MatchProfile

        login_destination(applies=lambda user: MatchProfile.objects.filter(user=user).exists(),
                          url_name="matching:alone_profile")

        # Safety: the notices moderation sends (warned, suspended, report handled).
        from . import safety_notices  # noqa: F401 - declares the notice kinds
        bulk_loader(key="matching-safety", load="matching.safety_bulk.bulk_load", order=50)  # before suggestions
        demo_loader(key="matching-safety", load="matching.safety_demo.demo_load", order=50)
        # Introductions: their notice kinds, demo requests among the demo participants, bulk requests.
        from . import introduction_notices  # noqa: F401 - declares the notice kinds

        demo_loader(key="matching-introductions", load="matching.introduction_demo.demo_load", order=51)
        bulk_loader(key="matching-introductions", load="matching.introduction_bulk.bulk_load", order=52)

        # 我的授权: taking part in 遇见, the 交友 circle and the contacts shared with each connection.
        from . import consent_sources

        consent_sources.register()

        # The staff dashboard and monthly report: this app's figures (figures.py).
        from . import figures
        figures.register()

        # 我的数据: her 遇见 profile, suggestions, introductions, connections, blocks and reports in her export.
        from . import personal_data

        personal_data.register()

        # 注销账号: what this app erases or makes anonymous when a member deletes her account.
        from . import erasure
        erasure.register()
