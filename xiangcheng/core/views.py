"""The front door and the programme pages; what they list comes from the section registry."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import cache_control

from .models import Programme
from .sections import sections_for_home, sections_for_programme


def home(request):
    """Who the alliance is, its five programmes, and whatever the apps put on the home page."""
    return render(request, "home.html", {
        "programmes": Programme.objects.all(),
        "sections": sections_for_home(request),
    })


def programme_list(request):
    return render(request, "core/programme_list.html", {"programmes": Programme.objects.all()})


def programme_detail(request, slug: str):
    programme = get_object_or_404(Programme, slug=slug)
    return render(request, "core/programme_detail.html", {
        "programme": programme,
        "sections": sections_for_programme(request, programme),
    })


@cache_control(max_age=300, public=True)
def programme_colours(request):
    """Each programme's colour as a CSS class, so pages need no inline style (CSP)."""
    css = "".join(f".accent-{p.slug}{{--accent:{p.colour}}}\n" for p in Programme.objects.only("slug", "colour"))
    return HttpResponse(css, content_type="text/css; charset=utf-8")
