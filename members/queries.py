"""Read-side rules for who may be seen where."""

from django.db.models import Q, QuerySet

from .models import MemberProfile, Status


def directory_profiles(*, q: str = "", field: str = "", city: str = "") -> QuerySet[MemberProfile]:
    """Approved members who chose to be listed. Contact details are not selected at all."""
    qs = MemberProfile.objects.filter(status=Status.APPROVED, listed_in_directory=True)
    if q:
        # Organisation and tags only match where the member lets others see them.
        qs = qs.filter(
            Q(real_name__icontains=q)
            | Q(organisation__icontains=q, visible_fields__contains=["organisation"])
            | Q(expertise__contains=[q], visible_fields__contains=["expertise"])
        )
    if field:
        qs = qs.filter(field=field, visible_fields__contains=["field"])
    if city:
        qs = qs.filter(city=city, visible_fields__contains=["city"])
    return qs.only(
        "pk", "real_name", "category", "organisation", "job_title", "field", "expertise",
        "city", "bio", "avatar_thumb", "visible_fields",
    ).order_by("real_name", "pk")
