from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _

from xiangcheng.core.clients import client_ip
from xiangcheng.core.counted_pages import counted_page
from xiangcheng.core.retention import period_days, retention_purges
from xiangcheng.core.shared_pages import kept_shared

from .access import approved_member_required
from .forms import DirectorySearchForm, PhoneResetForm, PhoneResetRequestForm, ProfileForm
from .models import MemberProfile, Status
from .organisations import directory_organisations, verified_organisations_of
from .phone_reset import PhoneResetError, reset_code_send, reset_password
from .profiles import profile_for, profile_photo_remove, profile_save
from .queries import directory_listing, photo_owner

DIRECTORY_PAGE_SIZE = 20


@login_required
def profile(request):
    current = profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            saved = profile_save(user=request.user, form=form)
            if saved.status == Status.PENDING:
                messages.success(request, _("Your profile is saved and your application is awaiting approval."))
            else:
                messages.success(request, _("Your profile is saved."))
            return redirect("members:profile")
        messages.error(request, _("Please correct the errors below."))
    organisations = verified_organisations_of(user_ids=[request.user.pk]).get(request.user.pk, [])
    return render(request, "members/profile.html", {"form": form, "profile": current,
                                                    "verified_organisations": organisations})


@login_required
def photo_remove(request):
    """Asks first (a page, no script); the files go once the removal is committed."""
    current = profile_for(request.user)
    if request.method == "POST":
        if profile_photo_remove(user=request.user):
            messages.success(request, _("Your photo is removed."))
        return redirect("members:profile")
    if current is None or not current.avatar_thumb:
        return redirect("members:profile")
    return render(request, "members/photo_remove.html", {"profile": current})


def photo(request, name: str):
    """A member's photo, to whom the rules let see it (members.queries.photo_owner); else 404.

    Browsers revalidate every time (the name is the ETag), so a photo she hides stops showing
    at once, while an unchanged one costs a 304.
    """
    if photo_owner(name=name, viewer=request.user) is None:
        raise Http404
    etag = f'"{name.rsplit("/", 1)[-1]}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        storage = MemberProfile._meta.get_field("avatar").storage
        try:
            response = FileResponse(storage.open(name, "rb"), content_type="image/jpeg")
        except FileNotFoundError:
            raise Http404 from None
        response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@approved_member_required
# The same for every member: shared, and kept until a profile, an account or an organisation
# it shows is written (a withdrawn listing disappears at once).
@kept_shared(members=True, until_written=True)
def directory(request):
    form = DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    profiles = directory_listing(q=filters.get("q", ""), field=filters.get("field", ""), city=filters.get("city", ""))
    page = counted_page(profiles, DIRECTORY_PAGE_SIZE, request.GET.get("page"))
    directory_organisations(page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "members/directory.html",
                  {"form": form, "page": page, "query": query.urlencode()})


def privacy(request):
    # How long finished records are kept: the retention job's own registry and settings, so the
    # policy says what the nightly purge does.
    kept = [(purge.label, period_days(purge.period)) for purge in retention_purges()]
    return render(request, "members/privacy.html",
                  {"PRIVACY_POLICY_VERSION": settings.PRIVACY_POLICY_VERSION, "kept": kept})


def phone_reset_request(request):
    form = PhoneResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            reset_code_send(phone=phone, client=client_ip(request))
        except PhoneResetError as exc:
            form.add_error(None, str(exc))
        else:
            request.session["phone_reset"] = phone
            return redirect("members:phone_reset_confirm")
    return render(request, "members/phone_reset_request.html", {"form": form}, status=400 if form.errors else 200)


def phone_reset_confirm(request):
    phone = request.session.get("phone_reset")
    if not phone:
        return redirect("members:phone_reset")
    form = PhoneResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reset_password(phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password1"])
        except PhoneResetError as exc:
            form.add_error("code", str(exc))
        else:
            # As allauth does after an email reset: her new password is not held back by the
            # failed logins that may have sent her here.
            get_adapter(request)._delete_login_attempts_cached_email(request, phone=phone)
            del request.session["phone_reset"]
            messages.success(request, _("Your password is changed. Log in with your mobile number and the new password."))
            return redirect("account_login")
    return render(request, "members/phone_reset_confirm.html", {"form": form, "phone": phone},
                  status=400 if form.errors else 200)
