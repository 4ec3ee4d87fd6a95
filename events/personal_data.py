"""What events keeps about her, for 我的数据 (members.data_sources): her registrations, with the
childcare she booked, and the events she was checked in at."""

from django.utils.translation import gettext_lazy as _

from members.data_sources import ExportFile, personal_data_source
from members.models import User

from .models import Registration


def _registrations(user: User):
    return Registration.objects.filter(user=user).select_related("event__venue").order_by("created_at", "pk")


def registrations(user: User) -> tuple[list, list[ExportFile]]:
    return [{
        "event": row.event.title,
        "starts_at": row.event.starts_at,
        "venue": row.event.venue.name if row.event.venue_id else "",
        "status": row.get_status_display(),
        "children_in_childcare": row.children_count,
        "childrens_ages": row.children_ages,
        "signed_up_at": row.created_at,
        "status_changed_at": row.decided_at,
        "cancelled_at": row.cancelled_at,
    } for row in _registrations(user)], []


def checkins(user: User) -> tuple[list, list[ExportFile]]:
    return [{
        "event": row.event.title,
        "starts_at": row.event.starts_at,
        "checked_in_at": row.checked_in_at,
    } for row in _registrations(user).filter(checked_in_at__isnull=False)], []


def register() -> None:
    personal_data_source(key="registrations", label=_("Event registrations and childcare"),
                         collect=registrations, order=20)
    personal_data_source(key="checkins", label=_("Event check-ins"), collect=checkins, order=21)
