from django.shortcuts import render

from events.models import Programme
from events.queries import events_listed

HOME_EVENTS = 3


def home(request):
    """The front door: who the alliance is, its five programmes, what is coming up, how to join."""
    return render(request, "home.html", {
        "programmes": Programme.objects.all(),
        "events": events_listed()[:HOME_EVENTS],
    })
