"""注销账号 tests: a member with her personal data everywhere, each piece carrying a marker, and
a generic scan of every text and JSON column of every table, and of the media folders, for them."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from matching.models import Block, Introduction, MatchProfile
from members.models import (
    Consent,
    DataExport,
    DataExportStatus,
    MemberProfile,
    Organisation,
    OrganisationStatus,
    Representative,
    User,
)
from services.inbox import ticket_rate
from services.models import (
    Application,
    Attachment,
    CallApplication,
    CallApplicationStatus,
    CallAttachment,
    RequestResponse,
    Ticket,
    TicketStatus,
)
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, MemberProfileFactory, StaffFactory, UserFactory
from tests.images import encode, opened
from xiangcheng.core.audit import audit_context
from xiangcheng.core.models import Notice

NAME = "柳絮飞扬"
USERNAME = "liuxu_marker"
EMAIL = "liuxu.marker@example.cn"
PHONE = "13987654321"
TICKET_TEXT = "霜降暗号甲"
RATING_TEXT = "霜降暗号丙"
REPLY_TEXT = "霜降暗号丁"
CV_TEXT = b"MARKER-CV-7731"
CALL_TEXT = "霜降暗号戊"
CALL_FILE_TEXT = b"MARKER-CALL-5519"
EXPORT_TEXT = b"MARKER-EXPORT-2086"
MEET_TEXT = "霜降暗号乙"
RESPONSE_TEXT = "霜降暗号己"
BIO_TEXT = "霜降暗号庚"
# In the database, and inside her files.
MARKERS = [NAME, USERNAME, EMAIL, PHONE, TICKET_TEXT, RATING_TEXT, REPLY_TEXT, CALL_TEXT, MEET_TEXT, RESPONSE_TEXT,
           BIO_TEXT]
FILE_MARKERS = [CV_TEXT, CALL_FILE_TEXT, EXPORT_TEXT]
PDF = b"%PDF-1.4\n%" + CV_TEXT + b"\n%%EOF\n"
CALL_PDF = b"%PDF-1.4\n%" + CALL_FILE_TEXT + b"\n%%EOF\n"


@dataclass
class Her:
    user: User
    profile: MemberProfile
    ticket: Ticket
    registration: Registration
    organisation: Organisation
    other: User
    files: list[str] = field(default_factory=list)


def jpeg() -> bytes:
    from PIL import Image

    return encode(Image.new("RGB", (40, 40), (200, 80, 120)), "JPEG")


def her_everywhere() -> Her:
    """She signed up with email and mobile, filled in her profile with a photo, consented, represents
    an organisation, wrote to 巾帼管家 (with a file) and rated the answer, applied to a job (CV) and a
    call (a file), responded to a service request, joined 遇见, was introduced, blocked someone,
    brought two children to an event's childcare and attended it."""
    from services.models import Call, Job, JobStatus, ServiceRequest
    from tests.services.job_helpers import organisation as an_organisation

    user = UserFactory(username=USERNAME, email=EMAIL, phone=PHONE, phone_verified=True,
                       first_name=NAME[:1], last_name=NAME[1:])
    profile = MemberProfileFactory(user=user, real_name=NAME, bio=BIO_TEXT, organisation=f"{NAME}工作室")
    profile.avatar.save("a.jpg", ContentFile(jpeg()), save=False)
    profile.avatar_thumb.save("t.jpg", ContentFile(jpeg()), save=True)
    opened(profile.avatar)  # a real image on disk
    Consent.objects.create(user=user, kind=Consent.Kind.PRIVACY_POLICY, version="2026-01")
    staff = StaffFactory(username="clerk_staff")
    other = MemberProfileFactory(real_name="另一位会员").user

    org = an_organisation()
    Representative.objects.create(organisation=org, user=user)
    Organisation.objects.filter(pk=org.pk).update(status=OrganisationStatus.VERIFIED)

    from services.inbox import ticket_submit

    ticket = ticket_submit(member=user, category="policy", subject=f"{TICKET_TEXT}主题",
                           description=f"{TICKET_TEXT}：我叫{NAME}，电话{PHONE}", preferred_contact="email")
    attachment = Attachment(ticket=ticket, name=f"{NAME}.pdf", content_type="application/pdf", size=len(PDF),
                            uploaded_by=user)
    attachment.file.save("x.pdf", ContentFile(PDF), save=True)
    with audit_context(actor=staff):
        ticket.messages.create(author=staff, body=f"{NAME}您好，{REPLY_TEXT}", from_staff=True)
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED, first_response_at=timezone.now(),
                                                  closed_at=timezone.now())
    ticket.refresh_from_db()
    ticket_rate(ticket=ticket, member=user, rating=5, comment=RATING_TEXT)

    job = Job.objects.create(organisation=org, title="研发工程师", city="suzhou", description="岗位说明",
                             closes_on=timezone.localdate() + timedelta(days=30), status=JobStatus.PUBLISHED)
    application = Application.objects.create(job=job, member=user, message=f"{NAME}应聘")
    application.cv.save("cv.pdf", ContentFile(PDF), save=True)

    call = Call.objects.create(kind="contest", title="相城区女性科技创新大赛", organiser="相城区妇联", level="city",
                               summary="大赛简介", eligibility="相城区女性科技工作者", requirements="项目书",
                               opens_on=timezone.localdate(), closes_on=timezone.localdate() + timedelta(days=9),
                               status="published")
    call_application = CallApplication.objects.create(call=call, member=user, statement=CALL_TEXT,
                                                      status=CallApplicationStatus.SUBMITTED,
                                                      submitted_at=timezone.now())
    call_file = CallAttachment(application=call_application, name=f"{NAME}项目书.pdf",
                               content_type="application/pdf", size=len(CALL_PDF))
    call_file.file.save("p.pdf", ContentFile(CALL_PDF), save=True)

    request = ServiceRequest.objects.create(organisation=an_organisation(code="91350100M000100Y43", name="另一家公司"),
                                            category="tech", title="需求", description="需求说明",
                                            field="advanced_materials", deadline=timezone.localdate(),
                                            status="published")
    RequestResponse.objects.create(request=request, member=user, message=RESPONSE_TEXT, share_email=True,
                                   consented_at=timezone.now())

    MatchProfile.objects.create(user=user, purposes=["networking"], cities=["suzhou"], introduction=MEET_TEXT,
                                hometown=NAME)
    MatchProfile.objects.create(user=other, purposes=["networking"], cities=["suzhou"], introduction="你好")
    Introduction.objects.create(sender=user, recipient=other, message=f"{MEET_TEXT}，我是{NAME}")
    Block.objects.create(blocker=other, blocked=user)

    event = EventFactory(childcare_offered=True, childcare_places=5)
    registration = Registration.objects.create(event=event, user=user, status=RegistrationStatus.CONFIRMED,
                                               decided_at=timezone.now(), children_count=2, children_ages=[3, 5],
                                               checked_in_at=timezone.now())

    # Her name in a notice to someone else, and in admin's log.
    Notice.objects.create(recipient=other, kind="test.mention", key="test.mention:1", state=Notice.State.SENT,
                          subject=f"{NAME}回复了您", body=f"{NAME}（{EMAIL}）回复了您的需求。", data={"who": NAME})
    Notice.objects.create(recipient=user, kind="test.mine", key="test.mine:1", state=Notice.State.SENT,
                          subject="您的申请", body=f"{NAME}您好")
    LogEntry.objects.create(user=staff, content_type=ContentType.objects.get_for_model(MemberProfile),
                            object_id=str(profile.pk), object_repr=f"{NAME} ({EMAIL})", action_flag=CHANGE,
                            change_message=f"changed {PHONE}")
    # The export of her data she downloaded last week (我的数据), still within its link's days.
    export = DataExport(user=user, status=DataExportStatus.READY, progress=100, finished_at=timezone.now(),
                        expires_at=timezone.now() + timedelta(days=7))
    export.file.save("export.zip", ContentFile(b"PK" + EXPORT_TEXT), save=True)
    assert EmailAddress.objects.filter(user=user).exists()
    files = [profile.avatar.name, profile.avatar_thumb.name, attachment.file.name, application.cv.name,
             call_file.file.name, export.file.name]
    return Her(user=user, profile=profile, ticket=ticket, registration=registration, organisation=org,
               other=other, files=files)


def her_password() -> str:
    return PASSWORD


def text_columns() -> list[tuple[str, str]]:
    """Every text, character, JSON and array column of every table in the database."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY'))
            ORDER BY 1, 2""")
        return cursor.fetchall()


def markers_in_database(markers: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, marker) for every marker found anywhere."""
    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for marker in markers:
                cursor.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',  # noqa: S608
                               [f"%{marker}%"])
                if cursor.fetchone():
                    found.append((table, column, marker))
    return found


def markers_in_files(roots: list[Path], markers: list[bytes]) -> list[tuple[str, bytes]]:
    found = []
    for root in roots:
        for path in root.rglob("*") if root.exists() else []:
            if path.is_file():
                data = path.read_bytes()
                found += [(str(path.relative_to(root)), marker) for marker in markers if marker in data]
    return found


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) if root.exists() else []
