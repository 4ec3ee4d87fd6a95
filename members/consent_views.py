"""我的授权 (her consents, each withdrawable on a confirmation page) and accepting a new privacy
policy at login. Thin: members.consent_kinds and members.consents decide."""

from allauth.account.internal.decorators import login_stage_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .consent_kinds import ConsentNotFound, consent_item_of, consent_item_withdraw, consents_of
from .consent_rows import consent_rows
from .consents import privacy_policy_accept
from .login_stages import PrivacyPolicyStage

CONSENTS_PAGE_SIZE = 20


@login_required
def consents(request):
    rows = [(source, item) for source, items in consents_of(user=request.user) for item in items]
    page = Paginator(rows, CONSENTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/consents/list.html", {"page": page, "rows": consent_rows(page)})


@login_required
def consent_withdraw(request, source: str, item: str):
    """Asks first (a page, no script); POST withdraws. Not hers, or nothing left: 404 / a note."""
    if request.method == "POST":
        try:
            withdrawn = consent_item_withdraw(user=request.user, source_key=source, item_key=item)
        except ConsentNotFound as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, _("Withdrawn: %(what)s. That processing has stopped.") % {
                "what": withdrawn.title})
        return redirect("members:consents")
    try:
        found_source, found_item = consent_item_of(user=request.user, source_key=source, item_key=item)
    except ConsentNotFound:
        raise Http404 from None
    return render(request, "members/consents/withdraw.html", {"source": found_source, "item": found_item})


class PrivacyAcceptForm(forms.Form):
    accept_privacy = forms.BooleanField(
        required=True,
        error_messages={"required": gettext_lazy("Tick the box to accept the privacy policy, or log out.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accept_privacy"].label = format_html(
            _('I have read and accept the <a href="{}" target="_blank">privacy policy</a> (version {}).'),
            reverse_lazy("members:privacy"), settings.PRIVACY_POLICY_VERSION)


@login_stage_required(stage=PrivacyPolicyStage.key, redirect_urlname="account_login")
def privacy_accept(request):
    """The login stage's page: accept the version in force, or end the login ("log out")."""
    stage = request._login_stage
    if request.method == "POST" and "decline" in request.POST:
        messages.info(request, _("You are not logged in. You can log in again when you are ready to accept."))
        return stage.abort()
    form = PrivacyAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        privacy_policy_accept(user=stage.login.user)
        return stage.exit()
    return render(request, "members/consents/privacy_accept.html",
                  {"form": form, "PRIVACY_POLICY_VERSION": settings.PRIVACY_POLICY_VERSION},
                  status=400 if form.is_bound else 200)
