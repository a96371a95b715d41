"""Account pages: sign up, sign in, two factors, profile, personal data, API tokens."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bigsociety.common.audit import audit_record

from . import services
from .forms import (
    ApiTokenForm,
    DeleteAccountForm,
    ProfileForm,
    ResendConfirmationForm,
    SignInForm,
    SignUpForm,
    TwoFactorCodeForm,
)
from .models import ApiToken, User
from .tokens import email_confirmation_token

BACKUP_CODE_COUNT = 10


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Public: anyone may create an account."""
    if request.user.is_authenticated:
        return redirect("accounts:account")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_sign_up(
            email=form.cleaned_data["email"],
            display_name=form.cleaned_data["display_name"],
            password=form.cleaned_data["password"],
        )
        request.session["signed_up_email"] = form.cleaned_data["email"]
        return redirect("accounts:sign_up_done")
    return render(request, "accounts/sign_up.html", {"form": form})


@require_http_methods(["GET"])
def sign_up_done(request: HttpRequest) -> HttpResponse:
    """Public: the "check your email" page."""
    return render(
        request, "accounts/sign_up_done.html", {"email": request.session.get("signed_up_email")}
    )


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public, guarded by the emailed token. GET shows a button; POST confirms.

    Confirming on POST means mail scanners that fetch links cannot confirm for the person.
    """
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not email_confirmation_token.check_token(user, token):
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "POST":
        services.user_confirm_email(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your email address is confirmed. Welcome to Big Society."))
        return redirect("accounts:account")
    return render(request, "accounts/confirm_email.html", {"person": user})


@require_http_methods(["GET", "POST"])
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Public: sends a new link to an unconfirmed address; says the same whatever the address."""
    form = ResendConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(
            email__iexact=form.cleaned_data["email"],
            email_confirmed_at__isnull=True,
            is_active=True,
        ).first()
        if user is not None:
            services.send_confirmation_email(user)
        request.session["signed_up_email"] = form.cleaned_data["email"]
        return redirect("accounts:sign_up_done")
    return render(request, "accounts/resend_confirmation.html", {"form": form})


class SignInView(auth_views.LoginView):
    """Public. Staff go on to their second factor before anything else."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.get_user()
        if user.is_staff or user.is_superuser:
            target = (
                "accounts:two_factor_verify"
                if any(True for _ in devices_for_user(user))
                else "accounts:two_factor_setup"
            )
            return redirect(reverse(target) + f"?next={self.get_success_url()}")
        return response


class SignOutView(auth_views.LogoutView):
    """Signed-in people; POST only (Django's LogoutView)."""

    template_name = "accounts/signed_out.html"


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Signed-in people see their own account only."""
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "person": user,
            # Memberships belong to the organisations app, above accounts: reached through
            # the reverse relation so accounts never imports it.
            "memberships": getattr(user, "memberships").select_related("organisation"),  # noqa: B009
            "has_two_factor": any(True for _ in devices_for_user(user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Signed-in people edit their own profile only."""
    user: User = request.user  # type: ignore[assignment]
    initial = {
        "display_name": user.display_name,
        "home_postcode": user.home_postcode,
        "date_of_birth": user.date_of_birth,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, acting_user=user, **form.cleaned_data)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:account")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def data_export(request: HttpRequest) -> HttpResponse:
    """Signed-in people download their own data only."""
    data = services.user_export_data(user=request.user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-big-society-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Signed-in people delete their own account, after typing their password."""
    user: User = request.user  # type: ignore[assignment]
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=user)
        logout(request)
        return render(request, "accounts/account_deleted.html")
    return render(request, "accounts/account_delete.html", {"form": form})


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _pending_totp(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Signed-in people set up an authenticator app for themselves (required for staff)."""
    user: User = request.user  # type: ignore[assignment]
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:two_factor_verify")
    device = _pending_totp(user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            static, _ = StaticDevice.objects.get_or_create(user=user, name="Backup codes")
            static.token_set.all().delete()
            codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
            for code in codes:
                static.token_set.create(token=code)
            otp_login(request, device)
            audit_record(actor=user, action="account.two_factor_setup", target=user)
            return render(
                request,
                "accounts/two_factor_backup_codes.html",
                {"codes": codes, "next": _safe_next(request, reverse("accounts:account"))},
            )
        form.add_error(
            "code", _("That code is not right. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _safe_next(request, ""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponseBase:
    """Signed-in people with a second factor enter a code from it."""
    user: User = request.user  # type: ignore[assignment]
    if not any(True for _ in devices_for_user(user)):
        return redirect(reverse("accounts:two_factor_setup") + f"?next={_safe_next(request, '')}")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request, reverse("accounts:account")))
        form.add_error("code", _("That code is not right. Try the newest code from your app."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """Signed-in people manage their own API tokens only."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    new_token: str | None = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.api_token_issue(user=user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context: dict[str, Any] = {
        "form": form,
        "tokens": user.api_tokens.all(),
        "new_token": new_token,
    }
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    """Signed-in people revoke their own tokens only (others' answer 404)."""
    token = get_object_or_404(ApiToken, user=request.user, prefix=prefix)
    services.api_token_revoke(token=token, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The token has been revoked."))
    return redirect("accounts:api_tokens")


password_reset = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
