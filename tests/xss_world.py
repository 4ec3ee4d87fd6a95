"""One world for the XSS corpus: every free-text field members, representatives and staff can fill,
filled with one corpus entry, on rows in the states in which the portal shows them.

``FIELDS`` is the corpus table (model → its free-text fields the world fills); ``EXEMPT`` names
the free-text fields that are not typed by a person, or are validated to a shape that cannot hold
markup, each with the reason. tests/test_xss_corpus.py fails for a text field in neither.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.fields import ArrayField
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from matching.models import Introduction, Report, ReportReason, Suggestion
from members.models import Status
from services.models import (
    Application,
    Attachment,
    CallApplication,
    CallApplicationStatus,
    CallAttachment,
    CannedReply,
    RequestResponse,
    TicketMessage,
)
from tests.core.story_helpers import story
from tests.events.factories import EventFactory, VenueFactory
from tests.factories import MemberProfileFactory, StaffFactory, UserFactory
from tests.matching.helpers import opted_in
from tests.services.call_helpers import a_call
from tests.services.helpers import submit
from tests.services.job_helpers import published_job
from tests.services.offering_factories import OfferingFactory
from tests.services.request_support import organisation, published, representative
from tests.xss_corpus import fitted
from xiangcheng.core.models import Programme
from xiangcheng.core.stories import story_save

# The corpus table: each model's free-text fields a person types, filled by ``world``.
FIELDS: dict[str, tuple[str, ...]] = {
    "members.User": ("first_name", "last_name"),
    "members.MemberProfile": ("real_name", "organisation", "job_title", "expertise", "bio", "rejection_reason"),
    "members.Organisation": ("name", "district", "address", "description", "public_contact", "rejection_reason"),
    "events.Venue": ("name", "address", "notes"),
    "events.Event": ("title", "description"),
    "services.Ticket": ("subject", "description", "rating_comment"),
    "services.TicketMessage": ("body",),
    "services.Attachment": ("name",),
    "services.CannedReply": ("title", "body"),
    "services.Job": ("title", "location", "description", "rejection_reason"),
    "services.Application": ("message", "cv_name"),
    "services.Offering": ("title", "provider", "description"),
    "services.ServiceRequest": ("title", "description", "rejection_reason"),
    "services.RequestResponse": ("message",),
    "services.Call": ("title", "organiser", "summary", "eligibility", "requirements"),
    "services.CallApplication": ("statement", "reason", "staff_notes"),
    "services.CallAttachment": ("name",),
    "matching.MatchProfile": ("interests", "introduction", "hometown", "real_name", "check_reason"),
    "matching.Introduction": ("message",),
    "matching.Report": ("details",),
    "core.Programme": ("name", "slogan", "description", "icon"),
    "core.Story": ("title", "summary", "body", "tags"),
}

_VALIDATED = "validated to a shape that cannot hold markup"
EXEMPT: dict[str, str] = {
    "members.User.password": "a password hash, never typed or shown",
    "members.User.username": f"{_VALIDATED} (letters, digits and @.+-_)",
    "members.User.email": f"{_VALIDATED} (an email address)",
    "members.User.phone": f"{_VALIDATED} (a mainland mobile number)",
    "members.Consent.version": "the privacy policy's version, set by the portal",
    "members.Organisation.credit_code": f"{_VALIDATED} (a unified social credit code with its check character)",
    "members.OrganisationInvitation.email": f"{_VALIDATED} (an email address)",
    "members.OrganisationInvitation.phone": f"{_VALIDATED} (a mainland mobile number)",
    "members.OrganisationInvitation.token": "a random key made by the portal",
    "events.Event.online_url": f"{_VALIDATED} (an http or https address: URLField)",
    "events.CalendarFeed.token": "a random key made by the portal",
    "services.Ticket.reference": "made by the portal (year and number)",
    "services.Attachment.content_type": "detected by the file gate from the file's bytes",
    "services.CallAttachment.content_type": "detected by the file gate from the file's bytes",
    "core.Programme.slug": "one of the five fixed programme slugs",
    "core.Programme.colour": f"{_VALIDATED} (a #rrggbb colour)",
    "core.Notice.kind": "a notice kind's name, from the code",
    "core.Notice.key": "made by the portal",
    "core.Notice.last_error": "a delivery error, shown to staff only; made by the mail or SMS backend",
    "core.Notice.channels_sent": "channel names, from the code",
    "core.Notice.subject": "composed by the portal from the fields above; checked on 我的消息 and in the emails",
    "core.Notice.body": "composed by the portal from the fields above; checked on 我的消息 and in the emails",
    "core.Notice.url": "a path on the portal, made by reverse()",
    "core.AuditEvent.*": "the audit trail: labels, model names and paths made by the portal; a reason staff type "
                         "is cleaned by audit_context and shown escaped on the change pages checked here",
    "*.*Audit.*": "audit snapshots: copies of the tracked row's fields, kept as they were saved",
    "matching.NameCheck.*": "a proxy of matching.MatchProfile (the staff's real-name check), same table",
}


def text_fields(model) -> list[str]:
    """The model's free-text fields: CharField, TextField or a list of them, without choices."""
    names = []
    for f in model._meta.concrete_fields:
        base = f.base_field if isinstance(f, ArrayField) else f
        if isinstance(base, models.CharField | models.TextField) and not base.choices:
            names.append(f.name)
    return names


def exempt(label: str, name: str) -> bool:
    app, model = label.split(".")
    return any(key in EXEMPT for key in (f"{label}.{name}", f"{label}.*")) or (
        model.endswith("Audit") and "*.*Audit.*" in EXEMPT)


@dataclass
class World:
    payload: str
    her: object = None  # a member: profile, ticket, applications, 遇见 profile
    peer: object = None  # another member: sees her in the directory, her 遇见 profile as a suggestion
    rep: object = None  # the organisation's representative
    third: object = None  # a third member: her 遇见 request goes to her
    admin: object = None  # a superuser
    objects: dict = field(default_factory=dict)  # model label → the row filled
    filled: set = field(default_factory=set)


def _fill(world: World, obj, *, save=None):
    """Every corpus-table field of the row, set to the payload (as far as the field holds), then saved."""
    label = obj._meta.label
    for name in FIELDS[label]:
        f = obj._meta.get_field(name)
        if isinstance(f, ArrayField):
            setattr(obj, name, [fitted(world.payload, f.base_field.max_length)])
        else:
            setattr(obj, name, fitted(world.payload, f.max_length))
    if save:
        obj = save(obj)
    else:
        obj.save()
    world.objects[label] = obj
    world.filled.add(label)
    return obj


def _file(name: str) -> ContentFile:
    return ContentFile(b"%PDF-1.4\n%%EOF\n", name=name)


def _story_save(s):
    """Through the stories' own save (its sanitizer is the gate for the HTML it renders as is);
    some text of the story's own, since a story whose HTML is all dropped is refused."""
    s.body = "<p>正文</p>" + s.body
    return story_save(story=s)


def world(payload: str) -> World:
    """Every free-text field of FIELDS holding ``payload``, on rows the portal shows."""
    w = World(payload=payload)
    now = timezone.now()
    w.admin = StaffFactory(username="boss", is_superuser=True)
    w.her = UserFactory(username="her")
    _fill(w, w.her)
    profile = MemberProfileFactory(user=w.her)
    _fill(w, profile)
    w.peer = MemberProfileFactory(user=UserFactory(username="peer"), status=Status.APPROVED).user

    org = organisation()
    w.rep = representative(org, username="rep")
    MemberProfileFactory(user=w.rep)
    _fill(w, org)

    event = EventFactory(venue=_fill(w, VenueFactory()))
    _fill(w, event)
    Registration.objects.create(event=event, user=w.her, status=RegistrationStatus.CONFIRMED, decided_at=now)

    ticket = submit(w.her)
    _fill(w, ticket)
    _fill(w, TicketMessage(ticket=ticket, author=w.admin, body="", from_staff=True))
    TicketMessage.objects.create(ticket=ticket, author=w.her, body=payload)
    TicketMessage.objects.create(ticket=ticket, author=w.admin, body=payload, internal=True, from_staff=True)
    _fill(w, Attachment(ticket=ticket, file=_file("a.pdf"), content_type="application/pdf", size=15,
                        uploaded_by=w.her))
    _fill(w, CannedReply(title="", body=""))

    job = published_job(org, w.rep, StaffFactory(username="jobs"))
    _fill(w, job)
    # An edit awaiting review (shown to staff beside the public copy) holds the text too.
    job.pending_changes = {"title": fitted(payload, 60), "description": payload}
    job.save(update_fields=["pending_changes"])
    _fill(w, Application(job=job, member=w.her, message=""))

    _fill(w, OfferingFactory())

    service_request = published(org, author=w.rep)
    _fill(w, service_request)
    service_request.pending_changes = {"title": payload, "description": payload}
    service_request.save(update_fields=["pending_changes"])
    _fill(w, RequestResponse(request=service_request, member=w.her, message="", consented_at=now))

    call = a_call()
    _fill(w, call)
    application = _fill(w, CallApplication(call=call, member=w.her, status=CallApplicationStatus.SUBMITTED,
                                           submitted_at=now - timedelta(hours=1)))
    _fill(w, CallAttachment(application=application, file=_file("c.pdf"), content_type="application/pdf", size=15))

    hers = opted_in(w.her)
    _fill(w, hers)
    theirs = opted_in(w.peer)
    # (Where commits happen, joining has computed it already.)
    Suggestion.objects.update_or_create(profile=theirs, candidate=hers,
                                        defaults={"score": 80, "reasons": [], "computed_at": now})
    # A third member: her request and a report (either keeps the two out of each other's suggestions).
    w.third = MemberProfileFactory(user=UserFactory(username="third")).user
    opted_in(w.third)
    _fill(w, Introduction(sender=w.her, recipient=w.third, message=""))
    _fill(w, Report(reporter=w.third, reported=w.her, reason=ReportReason.choices[0][0], details=""))

    _fill(w, Programme.objects.get(slug="create"))
    _fill(w, story(), save=_story_save)
    return w
