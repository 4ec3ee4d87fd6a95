"""The member directory's cards, kept rendered (``xiangcheng.core.fragments``).

A card shows what she chose to show (``visible_fields``) of her profile and the verified
organisations she represents: its version names each value it may show and the choice itself, so
a change to her profile or to what she shows renders it again at once. A card is the same for
every member who may read the directory; who is listed is the directory's query
(``members.queries``), never the card.
"""

from django.utils.safestring import SafeString

from xiangcheng.core.fragments import rendered_each

from .models import MemberProfile

CARD_TEMPLATE = "members/_directory_card.html"


def card_version(profile: MemberProfile) -> tuple:
    """Needs ``verified_organisations`` set (``organisations.directory_organisations`` does)."""
    return (profile.pk, profile.real_name, tuple(profile.visible_fields), profile.avatar_thumb.name or "",
            profile.job_title, profile.organisation, profile.field, profile.city, tuple(profile.expertise),
            profile.bio, tuple((o.pk, o.name, o.badge) for o in profile.verified_organisations))


def directory_cards(profiles) -> SafeString:
    return rendered_each(profiles, template=CARD_TEMPLATE, name="m", version=card_version)
