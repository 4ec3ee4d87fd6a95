"""Inbox messages: rendered once, written as Notice rows, delivered after commit exactly once."""

import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from members.models import User
from xiangcheng.core import outbox
from xiangcheng.core.sms import sms_template

from .models import Notice, Ticket, TicketMessage

INBOX_TO_MEMBER = sms_template("inbox_to_member", _("{subject}. Details on the portal."), ["subject"])
INBOX_TO_STAFF = sms_template("inbox_to_staff", _("{subject}."), ["subject"])
# Notice.sms holds which template and its subject parameter: "member:…" or "staff:…"; digests
# have none and send no SMS.
_SMS_AUDIENCES = {"member": INBOX_TO_MEMBER, "staff": INBOX_TO_STAFF}


def notice_queue(*, recipient: User, key: str, subject: str, body: str, sms: str = "") -> int:
    """Write one notice (once per key) and deliver it after commit."""
    Notice.objects.bulk_create(
        [Notice(recipient=recipient, key=key, subject=subject[:200], body=body, sms=sms[:300])],
        ignore_conflicts=True,
    )
    pk = Notice.objects.filter(key=key).values_list("pk", flat=True).get()
    transaction.on_commit(lambda: _enqueue(pk), robust=True)
    return pk


def _enqueue(pk: int) -> None:
    from .tasks import deliver_notice

    # If the broker is down the row stays unsent; the periodic retry delivers it later.
    deliver_notice.delay(notice_id=pk)


def notice_ticket(*, ticket: Ticket, recipient: User, kind: str, message: TicketMessage | None = None) -> int:
    """A message about a ticket. Internal notes never reach here: only public messages are quoted."""
    assert message is None or not message.internal
    context = {"ticket": ticket, "kind": kind, "message": message, "recipient": recipient,
               "site_url": settings.SITE_URL, "to_member": recipient.pk == ticket.member_id}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("services/notices/subject.txt", context).strip()
        body = render_to_string("services/notices/body.txt", context)
        sms = ("member:" if context["to_member"] else "staff:") + subject
    unique = message.pk if message else uuid.uuid4().hex
    key = f"ticket:{ticket.pk}:{kind}:{recipient.pk}:{unique}"
    return notice_queue(recipient=recipient, key=key, subject=subject, body=body, sms=sms)


def _compose(notice: Notice) -> outbox.Message:
    audience, _sep, subject = notice.sms.partition(":")
    template = _SMS_AUDIENCES.get(audience)
    sms = (template, {"subject": subject}) if template else None
    return outbox.Message(notice.recipient, notice.subject, notice.body, sms)


def deliver(*, notice_id: int) -> bool:
    return outbox.deliver_once(Notice, notice_id, _compose, related=["recipient"])


def deliver_unsent() -> int:
    """The periodic retry: notices nobody delivered (broker down, worker died), oldest first."""
    return outbox.retry_unsent(Notice, lambda pk: deliver(notice_id=pk))
