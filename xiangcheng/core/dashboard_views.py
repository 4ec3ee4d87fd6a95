"""The staff dashboard (/admin/dashboard/): every area's figures for a period, as numbers and
charts, and the monthly report built in the background. Staff with ``core.view_dashboard`` (the
管理员 role) only; other staff get 403, anyone else the admin's login."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .figures import (
    DASHBOARD_FRESH_SECONDS,
    DASHBOARD_RETRY_SECONDS,
    PeriodError,
    dashboard_figures,
    period_make,
    this_month,
)
from .kept_changelists import kept_page
from .kept_tokens import token_filled
from .reports import (
    ReportError,
    link_expired,
    report_download,
    report_downloadable,
    report_filename,
    report_for,
    report_request,
    reports_of,
)

PERMISSION = "core.view_dashboard"


class PeriodForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    last = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        if "first" in cleaned and "last" in cleaned:
            try:
                cleaned["period"] = period_make(first=cleaned["first"], last=cleaned["last"])
            except PeriodError as error:
                raise forms.ValidationError(str(error)) from error
        return cleaned


def staff_dashboard(view):
    """The admin's login for anyone not staff; 403 for staff without the dashboard's permission."""
    return admin.site.admin_view(permission_required(PERMISSION, raise_exception=True)(view))


# A period not counted yet shows the same page whatever its dates, but for the dates: that page is
# kept for her with these marks where the dates go, and each request's are put in as it is served.
_FIRST_SLOT, _LAST_SLOT = "\x00period-first\x00", "\x00period-last\x00"


def _spelled_as_shown(request, period) -> bool:
    """Whether the address asks for the period alone, in the spelling the page shows it in (the
    date picker's): the form's fields then show what its heading and hidden fields do."""
    return (set(request.GET) == {"first", "last"} and request.GET["first"] == period.first.isoformat()
            and request.GET["last"] == period.last.isoformat())


def _period_filled(content: bytes, request, *, period) -> bytes:
    """The kept page of a period not counted yet, with her CSRF token and this period's dates."""
    return (token_filled(content, request).replace(_FIRST_SLOT.encode(), period.first.isoformat().encode())
            .replace(_LAST_SLOT.encode(), period.last.isoformat().encode()))


@staff_dashboard
def dashboard(request):
    """Figures kept rendered for her (``kept_page``) until her reports change or the figures do;
    a period not counted yet, kept once for every period until her reports change."""
    default = this_month()
    if request.GET:
        form = PeriodForm(request.GET)
        period = form.cleaned_data["period"] if form.is_valid() else None
    else:
        form = PeriodForm(initial={"first": default.first, "last": default.last})
        period = default
    shown = dashboard_figures(period) if period else None
    dates = (period.first.isoformat(), period.last.isoformat()) if period else None
    rendered = partial(_dashboard_rendered, request, form=form, dates=dates, shown=shown)
    if shown is None:
        return rendered()  # a form with errors
    if shown.counted is None:  # on its way, or failed: the page reloads itself until it is counted
        if not _spelled_as_shown(request, period):
            return rendered()
        slots = PeriodForm(initial={"first": _FIRST_SLOT, "last": _LAST_SLOT})
        return kept_page(request, partial(_dashboard_rendered, request, form=slots, dates=(_FIRST_SLOT, _LAST_SLOT),
                                          shown=shown),
                         varies=shown.state, address=request.path, served=partial(_period_filled, period=period))
    return kept_page(request, rendered, varies=shown.state)


def _dashboard_rendered(request, *, form: PeriodForm, dates: tuple[str, str] | None, shown) -> TemplateResponse:
    """``dates``: the period's first and last day as the page shows them (None for a form with errors)."""
    counted = shown.counted if shown else None
    context = {
        **admin.site.each_context(request),
        "title": _("Dashboard"),
        "form": form,
        "dates": dates,
        "drawn": counted.drawn if counted else None,
        "counted_at": counted.at if counted else None,
        "counting": bool(shown and shown.counting),
        "failed": bool(shown and shown.failed),
        "fresh_minutes": DASHBOARD_FRESH_SECONDS // 60,
        "retry_seconds": DASHBOARD_RETRY_SECONDS,
        "retry_minutes": DASHBOARD_RETRY_SECONDS // 60,
        "reports": reports_of(user=request.user),
    }
    return TemplateResponse(request, "core/dashboard.html", context)


@require_POST
@staff_dashboard
def report_new(request):
    form = PeriodForm(request.POST)
    # Back to the dashboard for the period asked for, its form showing what was typed and why not.
    back = f"{reverse('dashboard:index')}?{urlencode({k: request.POST.get(k, '') for k in ('first', 'last')})}"
    if not form.is_valid():
        messages.error(request, _("The report was not started: check the period."))
        return redirect(back)
    try:
        report = report_request(user=request.user, period=form.cleaned_data["period"])
    except ReportError as error:
        messages.error(request, str(error))
        return redirect(back)
    return redirect("dashboard:report", report.pk)


@staff_dashboard
def report_detail(request, pk: int):
    report = report_for(pk=pk, user=request.user)
    if report is None:
        raise Http404
    context = {
        **admin.site.each_context(request),
        "title": _("Monthly report"),
        "report": report,
        "downloadable": report_downloadable(report=report),
        "expired": link_expired(report=report),
        "waiting": report.status in (report.Status.QUEUED, report.Status.BUILDING),
    }
    return TemplateResponse(request, "core/dashboard_report.html", context)


@staff_dashboard
def report_file(request, pk: int):
    report = report_for(pk=pk, user=request.user)
    if report is None:
        raise Http404
    try:
        content = report_download(report=report, user=request.user)
    except ReportError as error:
        messages.error(request, str(error))
        return redirect("dashboard:report", report.pk)
    response = HttpResponse(content,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report)}"'
    response["Cache-Control"] = "no-store"
    return response
