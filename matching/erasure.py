"""注销账号: what 遇见 erases when a member deletes her account (registered in ready()).

Her match profile (with its suggestions, both ways), the introductions she sent or received,
her blocks (both ways) and the reports she made or that were made about her are deleted: none of
it means anything once she is gone, and each may hold her words or others' words about her.
"""

from django.db.models import Q

from members.erasure import erasure_step

from .models import Block, Introduction, MatchProfile, Report, Suggestion


def match_erase(user) -> None:
    Suggestion.objects.filter(Q(profile__user=user) | Q(candidate__user=user)).delete()
    Introduction.objects.filter(Q(sender=user) | Q(recipient=user)).delete()
    Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
    Report.objects.filter(Q(reporter=user) | Q(reported=user)).delete()
    MatchProfile.objects.filter(user=user).delete()


def register() -> None:
    erasure_step(key="matching.profile", erase=match_erase, order=40)
