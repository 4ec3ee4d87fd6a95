"""The shared world the access matrices request pages in: the demo data, loaded once per module.

The demo (``manage.py seed_demo``) already holds an object of every kind, each owned by a known
account: linxiaowen's registrations, tickets, applications and 相遇; the organisations' jobs and
service requests; every staff role's login. The matrices read it through ``World`` and never
change it: each request runs in a savepoint that is rolled back (``request_status``).
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import User

DEMO = "demo.xcwomenstech.cn"

# The seven kinds of user every page is asked by, in the order the tables list them.
WHO = ("visitor", "pending", "member", "owner", "rep", "staff", "staff+")
# The default accounts behind them (login: email, phone or username). "owner" and "staff+" are
# per page (the object's owner, the role holding the permission); these are their defaults.
ACCOUNTS = {
    "pending": "13800000003",
    "member": f"zhouyiran@{DEMO}",  # approved, owns none of the objects the tables name
    "owner": f"linxiaowen@{DEMO}",
    "rep": f"hr@chelian.{DEMO}",  # represents another organisation than the one owning the objects
}
# Staff by role (the demo's logins); "staff" (without the permission) is staff in no role at all.
ROLE_LOGINS = {
    "审核员": f"reviewer@{DEMO}",
    "管理员": f"admin@{DEMO}",
    "活动管理员": f"organiser@{DEMO}",
    "管家客服": f"agent@{DEMO}",
    "管家主管": f"supervisor@{DEMO}",
    "企业服务": f"qiye@{DEMO}",
    "申报评审": f"shenbao@{DEMO}",
    "遇见审核": f"yujian@{DEMO}",
    "宣传编辑": f"xuanchuan@{DEMO}",
}
NO_ROLE = "clerk"
PDF = b"%PDF-1.4\n%%EOF\n"

# Statements an unauthorised request may run: signing in and the session, nothing of the product.
# Anywhere in the statement: the audit trail puts its context in front of each write.
_WRITE = re.compile(r'\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"(?P<table>\w+)"', re.I)
_HARMLESS_TABLES = {"django_session", "members_user"}  # last_login on sign-in


def load_world() -> None:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):  # the demo's notices are sent, as in `make run`
        call_command("seed_demo", verbosity=0)
    clerk, _ = User.objects.get_or_create(username=NO_ROLE, defaults={"email": "clerk@fulian.example.cn",
                                                                      "is_staff": True})
    assert not clerk.groups.exists()
    assert set(ROLE_LOGINS) <= set(Group.objects.values_list("name", flat=True))


def account(login: str) -> User:
    return User.objects.get(models_q(login))


def models_q(login: str):
    from django.db.models import Q

    return Q(email=login) | Q(phone=login, phone_verified=True) | Q(username=login)


class Clients:
    """One logged-in test client per account, made on first use."""

    def __init__(self):
        self._clients: dict[str, Client] = {}

    def __call__(self, login: str | None) -> Client:
        key = login or ""
        if key not in self._clients:
            client = Client(raise_request_exception=True)
            if login:
                client.force_login(account(login))
            self._clients[key] = client
        return self._clients[key]


@dataclass
class Answer:
    status: int
    location: str
    writes: list[str]
    templates: list[str]

    def code(self) -> str:
        """``L`` a redirect to a login page, ``R`` any other redirect, ``A`` the page that says her
        membership is not approved (yet), else the status."""
        if self.status == 200 and "members/awaiting_approval.html" in self.templates:
            return "A"
        if self.status in (301, 302):
            login_pages = (reverse("account_login"), reverse("admin:login"))
            return "L" if self.location.split("?")[0] in login_pages else "R"
        return str(self.status)


def request_status(client: Client, method: str, url: str) -> Answer:
    """Ask for ``url`` and roll back whatever the request wrote; report which tables it wrote."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url) if method == "POST" else client.get(url)
        transaction.set_rollback(True)
    writes = sorted({table for q in queries.captured_queries for table in _WRITE.findall(q["sql"])}
                    - _HARMLESS_TABLES)
    templates = [t.name for t in getattr(response, "templates", []) or [] if t.name]
    return Answer(response.status_code, response.get("Location", ""), writes, templates)


class World:
    """The demo's objects the tables build URLs from, looked up once."""

    def __init__(self):
        self.files = []  # the files it stored, deleted with the world (the rows roll back)

    def _stored(self, field_file):
        self.files.append((field_file.storage, field_file.name))
        return field_file

    def forget_files(self) -> None:
        for storage, name in self.files:
            storage.delete(name)

    def user(self, login: str) -> User:
        return account(login)

    @cached_property
    def owner(self) -> User:
        return account(ACCOUNTS["owner"])

    @cached_property
    def registration(self):
        from events.models import Registration

        return Registration.objects.filter(user=self.owner).order_by("pk").first()

    @cached_property
    def event(self):
        return self.registration.event

    @cached_property
    def ticket(self):
        from services.models import Ticket

        return Ticket.objects.filter(member=self.owner).order_by("pk").first()

    @cached_property
    def ticket_attachment(self):
        """A file she attached to her ticket (the demo has none)."""
        from services.models import Attachment

        found = Attachment(ticket=self.ticket, name="材料.pdf", content_type="application/pdf", size=len(PDF),
                           uploaded_by=self.owner)
        found.file.save("材料.pdf", ContentFile(PDF), save=True)
        self._stored(found.file)
        return found

    @cached_property
    def notice(self):
        from xiangcheng.core.message_centre import centre_notices

        return centre_notices(self.owner).order_by("pk").first()

    @cached_property
    def organisation(self):
        """The organisation whose objects the tables name; its representative is its owner."""
        from members.models import Organisation

        return Organisation.objects.get(representatives__user__email=f"hr@xincai.{DEMO}")

    @cached_property
    def invitation(self):
        from members.models import OrganisationInvitation

        return OrganisationInvitation.objects.filter(organisation=self.organisation).order_by("pk").first() or \
            OrganisationInvitation.objects.create(organisation=self.organisation, invited_by=self.user(f"hr@xincai.{DEMO}"),
                                                  email="invited@example.cn", token="matrix-invitation-token",
                                                  expires_at=timezone.now() + timedelta(days=7))

    @cached_property
    def representative(self):
        return self.organisation.representatives.order_by("pk").first()

    @cached_property
    def job(self):
        return self.organisation.jobs.filter(status="published").order_by("pk").first()

    @cached_property
    def job_application(self):
        from services.models import Application

        found = Application.objects.filter(job__organisation=self.organisation).order_by("pk").first()
        if not found.cv:  # the demo's applications come without a CV
            found.cv.save("cv.pdf", ContentFile(PDF), save=True)
            self._stored(found.cv)
        return found

    @cached_property
    def service_request(self):
        from services.models import ServiceRequest

        return ServiceRequest.objects.filter(organisation=self.organisation, responses__isnull=False).order_by("pk").first()

    @cached_property
    def response(self):
        return self.service_request.responses.order_by("pk").first()

    @cached_property
    def call_application(self):
        from services.models import CallApplication

        return CallApplication.objects.filter(member=self.owner, attachments__isnull=False).order_by("pk").first()

    @cached_property
    def call(self):
        return self.call_application.call

    @cached_property
    def call_attachment(self):
        return self.call_application.attachments.order_by("pk").first()

    @cached_property
    def offering(self):
        from services.models import Offering

        return Offering.objects.order_by("pk").first()

    @cached_property
    def slot(self):
        return self.offering.slots.order_by("pk").first()

    @cached_property
    def slot_booking(self):
        from services.models import SlotBooking

        return SlotBooking.objects.create(slot=self.slot, member=self.owner)  # the demo has none

    @cached_property
    def introduction(self):
        from matching.models import Introduction

        return Introduction.objects.filter(recipient=self.owner, status="pending").order_by("pk").first()

    @cached_property
    def match_profile(self):
        """A 遇见 profile the owner may ask to meet (the sender of her introduction)."""
        return self.introduction.sender.match_profile

    @cached_property
    def block(self):
        from matching.models import Block

        # The demo has none: she blocks someone the tables do not otherwise use.
        return Block.objects.create(blocker=self.owner, blocked=account(f"tangjing@{DEMO}"))

    @cached_property
    def story(self):
        from xiangcheng.core.story_models import Story

        return Story.objects.filter(status="published").order_by("pk").first()

    @cached_property
    def story_feature(self):
        from members.models import StoryFeature

        return StoryFeature.objects.filter(member=self.owner).order_by("pk").first()

    @cached_property
    def data_export(self):
        """Her export of her personal data, ready to download (the demo has none)."""
        from members.models import DataExport, DataExportStatus

        now = timezone.now()
        export = DataExport(user=self.owner, status=DataExportStatus.READY, progress=100, finished_at=now,
                            expires_at=now + timedelta(days=7))
        export.file.save("export.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=False)
        export.size = export.file.size
        export.save()
        self._stored(export.file)
        return export

    @cached_property
    def dashboard_report(self):
        from xiangcheng.core.models import DashboardReport

        return DashboardReport.objects.create(requested_by=account(ROLE_LOGINS["管理员"]),
                                              first_day="2026-01-01", last_day="2026-01-31")

    def photo_name(self) -> str:
        """Her photo (the demo's members have none): a small JPEG in the private photo storage."""
        import io

        from PIL import Image

        profile = self.owner.profile
        if not profile.avatar:
            data = io.BytesIO()
            Image.new("RGB", (40, 40), "purple").save(data, "JPEG")
            profile.avatar.save("a.jpg", ContentFile(data.getvalue()), save=True)
            self._stored(profile.avatar)
        return profile.avatar.name

    def content_type_id(self, label: str) -> int:
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_by_natural_key(*label.split(".")).pk

    def checkin_token(self) -> str:
        from events.checkin import ticket_token

        return ticket_token(self.registration)

