from django.shortcuts import get_object_or_404, render

from .models import Programme


def programme_list(request):
    return render(request, "events/programme_list.html", {"programmes": Programme.objects.all()})


def programme_detail(request, slug: str):
    programme = get_object_or_404(Programme, slug=slug)
    return render(request, "events/programme_detail.html", {"programme": programme})
