"""Idempotent demo calls (相创她数智): five published calls across the four levels — four open (one
of them opening later), one closed — and a draft; 林晓雯 submitted one application and keeps a draft
of another, with a PDF attached.

Published by the demo administrator (``members.demo``) through ``calls.call_publish``.
"""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from members.demo import ADMINISTRATOR
from members.models import Field, User
from xiangcheng.core.audit import audit_context
from xiangcheng.core.demo import DemoLoaded

from . import calls
from .attachments import attachment_check
from .models import Call, CallKind, CallLevel, CallStatus

# (kind, title, organiser, level, field, opens in days (negative: already open), open for days, places)
CALLS = [
    (CallKind.TALENT, "2027年度青年女科学家推荐", "江苏省妇女联合会", CallLevel.PROVINCIAL, "", -10, 30, 2),
    (CallKind.CONTEST, "相城区互联网营销师大赛", "相城区妇女联合会", CallLevel.DISTRICT, Field.DIGITAL_FINANCE, -5, 25,
     None),
    (CallKind.TRAINING, "数字化发展培训选拔（第三期）", "相城区妇女联合会", CallLevel.DISTRICT, "", -3, 14, 30),
    (CallKind.TRAINING, "科技女性思维营 · 春季营", "相城区女性精英联合会", CallLevel.DISTRICT, Field.AI, 7, 21, 20),
    (CallKind.HONOUR, "苏州市巾帼建功标兵推荐", "苏州市妇女联合会", CallLevel.CITY, "", -40, 20, 1),
]
DRAFT = (CallKind.TALENT, "未来女科学家计划评选", "全国妇联", CallLevel.NATIONAL, "", 20, 30, 3)
SUMMARY = ("相城区妇联鼓励并支持女性科技人才参加国家、省、市、区举办的各类评选和大赛。本次由{organiser}组织，"
           "区妇联负责初审并择优推荐。")
ELIGIBILITY = "相城区联盟的正式会员；在相城区工作或创业；近三年在本领域取得突出成果。"
REQUIREMENTS = "个人陈述（不超过2000字）；代表性成果或获奖证明（PDF或图片）；所在单位推荐意见（PDF）。"
STATEMENT = "我在功能薄膜材料方向从事研发十年，牵头完成两项成果转化，希望代表相城区参加评选。"
DRAFT_STATEMENT = "正在整理参赛作品：面向相城农特产品的直播营销方案。"


def _demo_pdf() -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    body += b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    xref = len(body)
    body += b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    body += b"trailer << /Size 3 /Root 1 0 R >>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return SimpleUploadedFile("成果证明.pdf", body, content_type="application/pdf")


def _call(spec, today, author) -> Call:
    kind, title, organiser, level, field, opens_in, days, places = spec
    opens_on = today + timedelta(days=opens_in)
    return Call.objects.create(kind=kind, title=title, organiser=organiser, level=level, field=field,
                               summary=SUMMARY.format(organiser=organiser), eligibility=ELIGIBILITY,
                               requirements=REQUIREMENTS, opens_on=opens_on,
                               closes_on=opens_on + timedelta(days=days), places=places, created_by=author)


@transaction.atomic
def demo_load() -> DemoLoaded:
    if Call.objects.exists():
        return DemoLoaded()
    admin = User.objects.get(username=ADMINISTRATOR["username"])
    today = timezone.localdate()
    with audit_context(actor=admin):
        made = [_call(spec, today, admin) for spec in CALLS]
        _call(DRAFT, today, admin)
    for call in made:
        if call.closed():
            with audit_context(actor=admin):
                # Published while it was open: placed directly, as publishing checks the days.
                Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED, published_at=timezone.now())
        else:
            calls.call_publish(call=call, actor=admin)
    member = User.objects.filter(username="linxiaowen", profile__isnull=False).first()
    if member is not None:
        talent, contest = (Call.objects.get(pk=made[0].pk), Call.objects.get(pk=made[1].pk))
        calls.application_start(call=talent, member=member, statement=STATEMENT,
                                files=[attachment_check(_demo_pdf())], submit=True)
        calls.application_start(call=contest, member=member, statement=DRAFT_STATEMENT)
    return DemoLoaded(summary=f"{len(made)} published calls and 1 draft; linxiaowen applied to 2")
