"""What service requests tell people, as kinds of the kernel's one outbox.

No notice ever carries a contact detail: an accepted response says "accepted, see the page", and
the page shows the contacts to the two people the rule allows (``responses.contacts_shown``).
The weekly digest carries a signed opt-out link that needs no login (its page asks before it opts out).
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import Representative
from xiangcheng.core.models import Notice
from xiangcheng.core.outbox import (
    Addressed,
    Message,
    notice_kind,
    notify_many,
    stop_token,
    stop_token_account,
)
from xiangcheng.core.sms import sms_template

from .models import RequestDigestOptOut, RequestResponse, ServiceRequest

REQUEST_SMS = sms_template("service_request", _("{title}: {what}. Details on the portal."), ["title", "what"])
PERMISSION = "services.view_servicerequest"
OPT_OUT_SALT = "services.request-digest-opt-out"

_DECISIONS = {
    "published": _("published"),
    "edit_published": _("your edit is published"),
    "rejected": _("not published"),
    "edit_rejected": _("your edit was not published"),
}


def _organisation_url(service_request: ServiceRequest) -> str:
    return reverse("services:organisation_request", args=[service_request.organisation_id, service_request.pk])


def _request(notice: Notice) -> ServiceRequest | None:
    return ServiceRequest.objects.filter(pk=notice.target_id).first()


def _compose_decision(notice: Notice) -> Message:
    service_request = _request(notice)
    with translation.override(settings.LANGUAGE_CODE):
        what = gettext(_DECISIONS[notice.data["what"]])
        subject = gettext("Service request %(title)s: %(what)s") % {"title": service_request.title, "what": what}
        lines = [gettext("Hello,"), "", subject + "."]
        if notice.data.get("reason"):
            lines += ["", gettext("Reason: %(reason)s") % {"reason": notice.data["reason"]}]
        url = _organisation_url(service_request)
        lines += ["", settings.SITE_URL + url, "", gettext("Xiangcheng District Women's Federation · 相链她科企")]
    return Message(subject=subject, body="\n".join(lines) + "\n",
                   sms=(REQUEST_SMS, {"title": service_request.title, "what": what}), url=url)


DECISION = notice_kind("requests.decision", label=_("Service requests: staff decision"), compose=_compose_decision,
                       applies=lambda notice: _request(notice) is not None, permission=PERMISSION)


def representatives_of(organisation_id: int) -> list[int]:
    return list(Representative.objects.filter(organisation_id=organisation_id).order_by("user_id")
                .values_list("user_id", flat=True))


def notify_representatives(*, service_request: ServiceRequest, what: str, key: str, reason: str = "") -> int:
    """Tell every representative of the organisation what staff decided (in the deciding transaction)."""
    items = [Addressed(recipient_id=user_id, key=f"{service_request.pk}:{what}:{user_id}:{key}",
                       target_id=service_request.pk, data={"what": what, "reason": reason})
             for user_id in representatives_of(service_request.organisation_id)]
    return len(notify_many(kind=DECISION, items=items, target_model=ServiceRequest))


# --- responses -------------------------------------------------------------------------------------

def _response(notice: Notice) -> RequestResponse | None:
    return (RequestResponse.objects.select_related("request", "member__profile")
            .filter(pk=notice.target_id).first())


def _compose_response(notice: Notice) -> Message:
    response = _response(notice)
    service_request = response.request
    to_member = notice.recipient_id == response.member_id
    with translation.override(settings.LANGUAGE_CODE):
        if notice.kind == RECEIVED.name:
            what = gettext("a member responded")
        elif notice.kind == ACCEPTED.name:
            what = gettext("the response was accepted")
        else:
            what = gettext("the response was declined")
        subject = gettext("Service request %(title)s: %(what)s") % {"title": service_request.title, "what": what}
        url = service_request.get_absolute_url() if to_member else _organisation_url(service_request)
        lines = [gettext("Hello,"), "", subject + "."]
        if notice.kind == ACCEPTED.name:
            # Never the contacts themselves: only the page shows them, to these two people.
            lines += ["", gettext("The contact details each side agreed to share are on the page.")]
        lines += ["", settings.SITE_URL + url, "", gettext("Xiangcheng District Women's Federation · 相链她科企")]
    return Message(subject=subject, body="\n".join(lines) + "\n",
                   sms=(REQUEST_SMS, {"title": service_request.title, "what": what}), url=url)


def _has_response(notice: Notice) -> bool:
    return _response(notice) is not None


RECEIVED = notice_kind("requests.response_received", label=_("Service requests: a member responded"),
                       compose=_compose_response, applies=_has_response, permission=PERMISSION)
ACCEPTED = notice_kind("requests.response_accepted", label=_("Service requests: response accepted"),
                       compose=_compose_response, applies=_has_response, permission=PERMISSION)
DECLINED = notice_kind("requests.response_declined", label=_("Service requests: response declined"),
                       compose=_compose_response, applies=_has_response, permission=PERMISSION)


def notify_response(*, response: RequestResponse, kind: str) -> None:
    """A new response (to the representatives), or the decision (to her; acceptance to both sides)."""
    recipients = []
    if kind in {"received", "accepted"}:
        recipients += representatives_of(response.request.organisation_id)
    if kind in {"accepted", "declined"}:
        recipients.append(response.member_id)
    notice = {"received": RECEIVED, "accepted": ACCEPTED, "declined": DECLINED}[kind]
    notify_many(kind=notice, target_model=RequestResponse, items=[
        Addressed(recipient_id=user_id, key=f"{response.pk}:{user_id}", target_id=response.pk)
        for user_id in recipients])


# --- the weekly digest -------------------------------------------------------------------------------

def opt_out_token(user_id: int) -> str:
    """What the digest's opt-out link carries: her account, signed (no login needed, no expiry)."""
    return stop_token(user_id, salt=OPT_OUT_SALT)


def opt_out_user_id(token: str) -> int | None:
    """The account a link was made for, or None if the token was changed or made elsewhere."""
    return stop_token_account(token, salt=OPT_OUT_SALT)


def digest_requests(notice: Notice) -> list[ServiceRequest]:
    """The requests the digest covers for her: her field, published in its window, still open."""
    since, until = notice.data["since"], notice.data["until"]
    return list(ServiceRequest.objects.open().filter(field=notice.data["field"], published_at__gte=since, published_at__lt=until)
                .select_related("organisation").order_by("-published_at", "-pk")[:20])


def _compose_digest(notice: Notice) -> Message:
    found = digest_requests(notice)
    opt_out = settings.SITE_URL + reverse("services:request_digest_stop", args=[opt_out_token(notice.recipient_id)])
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("New service requests in your field this week")
        lines = [gettext("Hello,"), "", gettext("Organisations posted these requests in your field:"), ""]
        for service_request in found:
            lines += [f"· {service_request.title}（{service_request.organisation.name}）",
                      f"  {settings.SITE_URL}{service_request.get_absolute_url()}"]
        lines += ["", gettext("To stop receiving this weekly email, open this link (no login needed):"), opt_out,
                  "", gettext("Xiangcheng District Women's Federation · 相链她科企")]
    return Message(subject=subject, body="\n".join(lines) + "\n", url=reverse("services:requests"))


def _digest_applies(notice: Notice) -> bool:
    if RequestDigestOptOut.objects.filter(user_id=notice.recipient_id).exists():
        return False
    return bool(digest_requests(notice))


DIGEST = notice_kind("requests.digest", label=_("Service requests: weekly digest"), compose=_compose_digest,
                     applies=_digest_applies, permission=PERMISSION)


def notify_digest(*, recipients: list[tuple[int, str]], week: str, since, until) -> int:
    """One digest per member and week: (account, her field) pairs; her field picks the requests."""
    items = [Addressed(recipient_id=user_id, key=f"{week}:{user_id}",
                       data={"field": field, "since": since.isoformat(), "until": until.isoformat()})
             for user_id, field in recipients]
    return len(notify_many(kind=DIGEST, items=items))
