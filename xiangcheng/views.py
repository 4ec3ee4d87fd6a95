from django.shortcuts import render

from events.models import Programme


def home(request):
    """The front door: who the alliance is, its five programmes, and a call to join."""
    return render(request, "home.html", {"programmes": Programme.objects.all()})
