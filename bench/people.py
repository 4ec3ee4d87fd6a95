"""Who opens the pages, signed in as the portal signs people in, and the bulk rows the pages'
URLs point at. Needs Django set up on the benchmark's database.

Members get the session a password login leaves (Django's ``login`` and allauth's record of the
method). Staff must have passed two-factor authentication in production, so each gets an
authenticator app (TOTP) like the one she would set up, and a session that records both the
password and the TOTP step, as allauth writes it when she enters her code.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from urllib.parse import quote

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import login
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.middleware.csrf import _get_new_csrf_string
from django.utils import timezone

from events.models import Event, EventStatus, Registration
from members.bulk import SURNAMES
from members.models import OrganisationStatus, Representative, Status, User
from services.applications import jobs_with_applications_counted
from services.jobs import jobs_listed
from services.models import Offering, OfferingMode, Ticket
from xiangcheng.core.models import Notice, Programme

from .pages import MEMBER, REPRESENTATIVE, VISITOR, Page


@dataclass(frozen=True)
class Client:
    """Who one concurrent client is: her session (none for a visitor) and the placeholders that
    name her own rows (``{my_organisation}`` and ``{my_job}``, its job with the most applications,
    for a representative).

    A signed-in browser also holds the CSRF cookie its login form was given, and sends it with
    every page: without it each page with a form would make her a new one."""

    session: str | None = None
    own: Mapping[str, str] = field(default_factory=dict)
    csrf: str = field(default_factory=_get_new_csrf_string)

    def cookie(self) -> str | None:
        return f"sessionid={self.session}; csrftoken={self.csrf}" if self.session else None


NOBODY = Client()


def signed_in(user: User, *, authenticator: Authenticator | None = None) -> str:
    """A new session for ``user`` after a password login (and her TOTP code); its key."""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    record_authentication(request, user, "password", username=user.username)
    if authenticator is not None:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return request.session.session_key


def staff_signed_in(user: User) -> str:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    return signed_in(user, authenticator=authenticator)


def active_members(count: int, *, offset: int = 0) -> list[User]:
    """Approved members who use the portal: each has registrations, tickets and messages."""
    return list(
        User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
        .filter(Exists(Registration.objects.filter(user=OuterRef("pk"))),
                Exists(Ticket.objects.filter(member=OuterRef("pk"))),
                Exists(Notice.objects.filter(recipient=OuterRef("pk"), state=Notice.State.SENT)))
        .order_by("pk")[offset:offset + count]
    )


def approved_members(count: int) -> list[User]:
    """Approved members with an active account, oldest first."""
    return list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                .order_by("pk")[:count])


def reachable_members(count: int) -> list[int]:
    """Approved members with an active account and a verified email address or mobile number:
    a notice to them is delivered, not just kept for 我的消息."""
    return list(User.objects.filter(is_active=True, is_staff=False, profile__status=Status.APPROVED)
                .filter(Q(emailaddress__verified=True) | Q(phone_verified=True)).distinct()
                .order_by("pk").values_list("pk", flat=True)[:count])


def staff_in_role(role_name: str) -> User:
    user = (User.objects.filter(is_active=True, is_staff=True, groups__name=role_name).order_by("pk").first())
    if user is None:
        raise LookupError(f"no bulk staff in the role {role_name!r}: load the bulk data first")
    return user


def representatives(count: int) -> list[Representative]:
    """Representatives of verified organisations with an active account, one per organisation,
    oldest organisation first (her ``user`` and ``organisation`` loaded)."""
    return list(Representative.objects.filter(organisation__status=OrganisationStatus.VERIFIED, user__is_active=True)
                .select_related("user", "organisation").order_by("organisation_id", "pk")
                .distinct("organisation_id")[:count])


def busiest_job(organisation) -> int:
    """The organisation's job with the most applications (the longest applications page); 0 if none."""
    job = jobs_with_applications_counted(organisation).order_by("-applied", "pk").first()
    return job.pk if job else 0


def sessions(pages: list[Page], *, clients: int) -> dict[str, list[Client]]:
    """Everyone the pages need: one member and one representative (with her organisation) per
    concurrent client, one member of staff per role; visitors have no session."""
    wanted = {page.who for page in pages} - {VISITOR}
    keys: dict[str, list[Client]] = {}
    if MEMBER in wanted:
        members = active_members(clients)
        if not members:
            raise LookupError("no active members in the bulk data: load it first")
        keys[MEMBER] = [Client(signed_in(member)) for member in members]
    if REPRESENTATIVE in wanted:
        found = representatives(clients)
        if not found:
            raise LookupError("no representatives of verified organisations in the bulk data: load it first")
        keys[REPRESENTATIVE] = [Client(signed_in(r.user), {"my_organisation": str(r.organisation_id),
                                                           "my_job": str(busiest_job(r.organisation))})
                                for r in found]
    for role_name in sorted(wanted - {MEMBER, REPRESENTATIVE}):
        keys[role_name] = [Client(staff_signed_in(staff_in_role(role_name)))]
    return keys


def pools() -> dict[str, list[str]]:
    """What the URLs' placeholders take, in turn: programmes, upcoming events, names searched for."""
    now = timezone.now()
    upcoming = list(Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gte=now)
                    .order_by("starts_at", "pk").values_list("pk", flat=True)[:20])
    if not upcoming:
        upcoming = list(Event.objects.filter(status=EventStatus.PUBLISHED).order_by("-starts_at", "-pk")
                        .values_list("pk", flat=True)[:20])
    return {
        "programme": list(Programme.objects.order_by("order", "pk").values_list("slug", flat=True)),
        "event": [str(pk) for pk in upcoming],
        "surname": [quote(name) for name in SURNAMES[:10]],
        **service_request_pools(),
        **call_pools(),
        **story_pools(),
        **dashboard_pools(),
        "job": [str(pk) for pk in jobs_listed().values_list("pk", flat=True)[:20]],
        # Federation offerings with time slots (their pages list upcoming slots).
        "offering": [str(pk) for pk in Offering.objects.filter(published=True, mode=OfferingMode.SLOTS)
                     .order_by("pk").values_list("pk", flat=True)[:20]],
    }


def page_url(page: Page, values: dict[str, list[str]], turn: int, client: Client = NOBODY) -> str:
    """The page's URL with each placeholder filled by the pool's value for this turn, or by the
    client's own value (her organisation)."""
    return page.url.format_map({**{name: pool[turn % len(pool)] for name, pool in values.items() if pool},
                                **client.own})



# --- Service requests (相链她科企) ------------------------------------------------------------------
def service_request_pools() -> dict[str, list[str]]:
    """Open requests to open, and words members search them for."""
    from services.models import ServiceRequest
    from services.request_bulk import TOPICS

    return {
        "service_request": [str(pk) for pk in ServiceRequest.objects.open().order_by("-published_at", "-pk")
                            .values_list("pk", flat=True)[:20]],
        "request_topic": [quote(words[0][:3]) for words in TOPICS.values()],
    }


# --- Calls (相创她数智) -------------------------------------------------------------------------------
def call_pools() -> dict[str, list[str]]:
    """Open calls (their pages and apply pages)."""
    from services.calls import calls_open

    return {"call": [str(pk) for pk in calls_open().values_list("pk", flat=True)[:20]]}


# --- Stories (科创故事) -------------------------------------------------------------------------------
def story_pools() -> dict[str, list[str]]:
    """Published stories to open, and tags to filter the list by."""
    from xiangcheng.core.stories import stories_published
    from xiangcheng.core.story_bulk import TOPICS

    return {
        "story": [str(pk) for pk in stories_published().order_by("-published_at", "-pk")
                  .values_list("pk", flat=True)[:20]],
        "story_tag": sorted({quote(tag) for _slug, _topic, tags in TOPICS for tag in tags}),
    }


# --- The staff dashboard ---------------------------------------------------------------------------
def dashboard_pools() -> dict[str, list[str]]:
    """First days of periods ending today, a thousand, which the clients take in turn: the
    first request for each asks the worker for its count, and the next ones (no worker takes the
    reports queue while the pages run) find it on its way. Either way the period has no count
    yet: the page says so, kept for her once for every period with each one's dates put in."""
    today = timezone.localdate()
    return {"period_first": [f"{today - timedelta(days=30 + n):%Y-%m-%d}" for n in range(1000)]}
