"""Who is hidden from whom in 遇见 by a block (either way): the one rule every list of people in
遇见 applies — suggestions (``never_suggested``), requests, 我的相遇 — and the same rule for two
accounts. Blocking and lifting a block are ``matching.safety``'s; this module reads only, so
that any module of the app may import it."""

from django.db.models import Q

from members.models import User

from .models import Block


def blocked_either_way(*, user_id: int, field: str = "pk") -> Q:
    """Rows whose account ``field`` (a path to a user id: ``"pk"`` on users, ``"user_id"`` on match
    profiles, ``"sender_id"`` on introductions …) she blocked or who blocked her. Exclude it from
    any list of people in 遇见: ``qs.exclude(blocked_either_way(user_id=me.pk, field="user_id"))``."""
    return (Q(**{f"{field}__in": Block.objects.filter(blocker_id=user_id).values("blocked_id")})
            | Q(**{f"{field}__in": Block.objects.filter(blocked_id=user_id).values("blocker_id")}))


def blocked_between(*, a: User | int, b: User | int) -> bool:
    """Whether either of the two accounts blocked the other."""
    a_id, b_id = getattr(a, "pk", a), getattr(b, "pk", b)
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)).exists()
