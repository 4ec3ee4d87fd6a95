"""Who sees an event: open audiences are public, a circle's events only its members' (the kernel's
registry of closed audiences, xiangcheng.core.audiences, says who is in which circle).

``seen_by`` is the one rule (``sees`` asks it of one event already loaded, from the same
parts). Every place that lists or shows events filters by it — the lists,
the search, the detail page, the home and programme sections, the .ics files and her calendar
feed — and sign-up refuses anyone outside the circle (``events.booking.can_sign_up``). Staff who
run events (``events.view_event``) see every event, as in admin.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from members.models import User
from xiangcheng.core.audiences import includes, is_member, restricted, restricted_audiences, restricted_keys

EVENT_STAFF_PERMISSION = "events.view_event"


class AudienceError(Exception):
    """She is outside the circle the event is kept to; the message says which circle."""


def sees_every_event(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm(EVENT_STAFF_PERMISSION)


def seen_by(*, user: User | AnonymousUser) -> Q:
    """The events ``user`` may see: open ones, and those of the circles she is in.

    A condition on ``Event``; each circle's membership is a subquery that does not depend on the
    event, so it is evaluated once per query however many events are listed.
    """
    keys = restricted_keys()
    if not keys or sees_every_event(user):
        return Q()
    condition = ~Q(audience__in=keys)
    if user.is_authenticated:
        for audience in restricted_audiences():
            condition |= Q(audience=audience.key) & Q(includes(key=audience.key, user=user))
    return condition


def sees(*, audience: str, user: User | AnonymousUser) -> bool:
    """``seen_by`` for one event already loaded: whether ``user`` may see an event with this audience."""
    return restricted(audience) is None or sees_every_event(user) or is_member(key=audience, user=user)


def audience_check(*, audience: str, user: User) -> None:
    """Raise AudienceError if the event's audience is a circle she is not in (now)."""
    circle = restricted(audience)
    if circle is not None and not is_member(key=audience, user=user):
        raise AudienceError(_("This event is only for %(audience)s.") % {"audience": circle.label})


def registrants_in_audience(*, audience: str) -> Q:
    """The registrations (of an event with this audience) whose account is still in its circle:
    a waitlisted member who left the circle is not given a seat."""
    circle = restricted(audience)
    return Q() if circle is None else Q(user__in=circle.members())
