"""注销账号: the page where she deletes her account, and the page she sees afterwards. Thin:
members.erasure decides."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .erasure import AccountDeletionError, confirmation_by_code, deletion_code_send, deletion_confirm


class DeletionForm(forms.Form):
    understood = forms.BooleanField(
        label=gettext_lazy("I understand that my account and my personal data will be deleted, and that this "
                           "cannot be undone."),
        error_messages={"required": gettext_lazy("Tick the box to confirm that you want to delete your account.")})

    def __init__(self, *args, by_code: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if by_code:
            self.fields["code"] = forms.CharField(label=gettext_lazy("Code"), max_length=6, required=False,
                                                  widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                                "autocomplete": "one-time-code"}))
        else:
            self.fields["password"] = forms.CharField(
                label=gettext_lazy("Your password"), required=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


@login_required
def account_delete(request):
    by_code = confirmation_by_code(request.user)
    if request.method == "POST" and "send_code" in request.POST and by_code:
        form = DeletionForm(by_code=by_code, initial={"understood": request.POST.get("understood") == "on"})
        try:
            channel = deletion_code_send(user=request.user)
        except AccountDeletionError as exc:
            messages.error(request, str(exc))
            return render(request, "members/erasure/delete.html", {"form": form, "by_code": by_code}, status=400)
        messages.info(request, _("We sent a code by SMS to your mobile number.") if channel == "sms"
                      else _("We sent a code to your email address."))
        return render(request, "members/erasure/delete.html", {"form": form, "by_code": by_code, "code_sent": True})
    form = DeletionForm(request.POST or None, by_code=by_code)
    if request.method == "POST" and form.is_valid():
        try:
            deletion_confirm(user=request.user, password=form.cleaned_data.get("password", ""),
                             code=form.cleaned_data.get("code", ""))
        except AccountDeletionError as exc:
            form.add_error("code" if by_code else "password", str(exc))
        else:
            logout(request)
            return redirect("members:account_deleted")
    return render(request, "members/erasure/delete.html", {"form": form, "by_code": by_code},
                  status=400 if form.is_bound else 200)


def account_deleted(request):
    return render(request, "members/erasure/deleted.html")
