"""Demo data for 遇见's safety: one open report in the moderation queue, so the 遇见审核 demo
login (yujian@) has something to warn, suspend or dismiss. Nobody is blocked: the demo's two
networking members stay each other's suggestion."""

from django.db import transaction

from members.models import User
from xiangcheng.core.demo import DemoLoaded

from .models import MatchProfile, Report, ReportReason
from .safety import report_file

REPORTER, REPORTED = "zhouyiran", "linxiaowen"
DETAILS = "（演示数据）她在自我介绍里留了一个微信号，请审核看看是否合适。"


@transaction.atomic
def demo_load() -> DemoLoaded:
    """Idempotent: the report is filed once, and never again once it has been handled."""
    reporter = User.objects.filter(username=REPORTER).first()
    reported = MatchProfile.objects.filter(user__username=REPORTED).first()
    if reporter is None or reported is None or Report.objects.filter(reporter=reporter).exists():
        return DemoLoaded(summary="")
    report_file(reporter=reporter, profile_id=reported.pk, reason=ReportReason.OTHER, details=DETAILS)
    return DemoLoaded(summary="1 open 遇见 report for 遇见审核")
