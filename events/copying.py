"""Copying an event as a new draft: staff reuse a salon's set-up for the next one."""

from django.utils.translation import gettext as _

from .models import Event, EventStatus


def event_copy(*, event: Event) -> Event:
    copy = Event.objects.get(pk=event.pk)
    copy.pk = None
    copy.title = (_("%(title)s (copy)") % {"title": event.title})[:100]
    copy.status = EventStatus.DRAFT
    copy.save()
    return copy
