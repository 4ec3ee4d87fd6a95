"""Read-side rules for who may be seen where."""

import itertools

from django.db.models import Q, QuerySet

from xiangcheng.core.compiled_queries import CompiledQuery, Listing
from xiangcheng.core.text_search import contains_text

from .models import DIRECTORY_ROWS, MemberProfile, Status, User

# A member other members may find: approved, opted in, and her account not deactivated.
LISTED = DIRECTORY_ROWS & Q(user__is_active=True)


def directory_profiles(*, q: str = "", field: str = "", city: str = "") -> QuerySet[MemberProfile]:
    """Approved members who chose to be listed. Contact details are not selected at all."""
    qs = MemberProfile.objects.filter(LISTED)
    if q:
        # Organisation and tags only match where the member lets others see them.
        # Each part is answered by an index over listed members (MemberProfile.Meta.indexes).
        qs = qs.filter(
            contains_text("real_name", q)
            | (contains_text("organisation", q) & Q(visible_fields__contains=["organisation"]))
            | Q(expertise__contains=[q], visible_fields__contains=["expertise"])
        )
    if field:
        qs = qs.filter(field=field, visible_fields__contains=["field"])
    if city:
        qs = qs.filter(city=city, visible_fields__contains=["city"])
    return qs.only(
        "pk", "user", "real_name", "category", "organisation", "job_title", "field", "expertise",
        "city", "bio", "avatar_thumb", "visible_fields",
    ).order_by("real_name", "pk")


def _directory_compiled(*, q: bool, field: bool, city: bool) -> CompiledQuery:
    kinds = {name: str for name, asked in (("q", q), ("field", field), ("city", city)) if asked}
    return CompiledQuery(lambda **values: directory_profiles(**values), **kinds)


# The directory's search for each combination of what she fills in: its SQL built once per process.
_DIRECTORY = {asked: _directory_compiled(q=asked[0], field=asked[1], city=asked[2])
              for asked in itertools.product((False, True), repeat=3)}


def directory_listing(*, q: str = "", field: str = "", city: str = "") -> Listing:
    """``directory_profiles`` for ``counted_page``."""
    values = {"q": q, "field": field, "city": city}
    return _DIRECTORY[tuple(bool(value) for value in values.values())].listing(
        **{name: value for name, value in values.items() if value})


def photo_owner(*, name: str, viewer: User) -> MemberProfile | None:
    """The profile whose photo or thumbnail is stored as ``name``, if ``viewer`` may see it.

    Her own photo, always; any photo, for staff who may view member profiles; another
    member's only for approved members, and only while she is listed in the directory and
    shows her photo there. Anyone else (and anonymous visitors) gets None: the view's 404.
    """
    if not viewer.is_authenticated:
        return None
    profiles = MemberProfile.objects.filter(Q(avatar=name) | Q(avatar_thumb=name))
    if not viewer.has_perm("members.view_memberprofile"):
        rule = Q(user=viewer)
        if MemberProfile.objects.filter(user=viewer, status=Status.APPROVED).exists():
            rule |= LISTED & Q(visible_fields__contains=["avatar"])
        profiles = profiles.filter(rule)
    return profiles.only("pk").first()
