"""The front door and the programme pages (what they list comes from the section registry), her
messages, and the language chooser."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from .counted_pages import counted_page
from .message_centre import centre_listing, notice_read, notices_read_all
from .models import Programme
from .sections import sections_for_home, sections_for_programme
from .shared_pages import kept_shared

NOTICES_PAGE_SIZE = 20


def language(request):
    """The language chooser the header links to; the choice posts to Django's ``set_language``,
    which brings her back to ``next``, the page she came from (this site's pages only)."""
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("home")
    return render(request, "core/language.html", {"next": back})


@kept_shared(members=True)
def home(request):
    """Who the alliance is, its five programmes, and whatever the apps put on the home page."""
    return render(request, "home.html", {
        "programmes": Programme.objects.all(),
        "sections": sections_for_home(request),
    })


@kept_shared(members=True)
def programme_list(request):
    return render(request, "core/programme_list.html", {"programmes": Programme.objects.all()})


@kept_shared(members=True)
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


@login_required
def notice_list(request):
    page = counted_page(centre_listing(request.user), NOTICES_PAGE_SIZE, request.GET.get("page"))
    return render(request, "core/notice_list.html", {"page": page})


@login_required
def notice_detail(request, pk: int):
    notice = notice_read(user=request.user, notice_id=pk)
    if notice is None:
        raise Http404
    return render(request, "core/notice_detail.html", {"notice": notice})


@login_required
@require_POST
def notices_mark_read(request):
    count = notices_read_all(user=request.user)
    messages.success(request, _("All messages are marked as read.") if count else _("No unread messages."))
    return redirect("notices:list")
