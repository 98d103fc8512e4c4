"""Signing-in screens: lockout page, second factor, password change."""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from .auth_forms import EnrolmentForm, SecondFactorForm
from .security import (
    confirm_authenticator,
    has_authenticator,
    pending_authenticator,
    remaining_recovery_codes,
)


def locked_out(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """The login page again, saying why it refuses (AXES_LOCKOUT_CALLABLE)."""
    form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": True,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/login.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return super().form_valid(form)


def _next_url(request: HttpRequest) -> str:
    """Where to go once the second factor is checked: `next` if it is one of our pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code of the authenticator app, or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not has_authenticator(user):
        return redirect(f"{reverse('second_factor_enrol')}?{urlencode({'next': next_url})}")
    form = SecondFactorForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.device)
        if isinstance(form.device, StaticDevice):
            messages.warning(
                request,
                f"Code de secours accepté. Il vous en reste {remaining_recovery_codes(user)} : "
                "si vous avez perdu votre téléphone, installez dès maintenant une nouvelle "
                "application d'authentification (page « Changer de mot de passe », lien "
                "« Changer d'application d'authentification »).",
            )
        return redirect(next_url)
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_url})


def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Sets up the authenticator app: QR code, secret in text, first code; then shows the
    recovery codes, once. Also how a verified user replaces their app."""
    user = request.user
    next_url = _next_url(request)
    if has_authenticator(user) and not user.is_verified():
        # Whoever knows only the password must not swap in their own authenticator.
        return redirect(f"{reverse('second_factor_verify')}?{urlencode({'next': next_url})}")
    device = pending_authenticator(user)
    form = EnrolmentForm(device, request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = confirm_authenticator(device)
        otp_login(request, device)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    secret = b32encode(device.bin_key).decode()
    qr_code = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        light="#fff",
        title="QR code à scanner avec votre application",
        svgclass="relais-qr",
    )
    context = {
        "form": form,
        "next": next_url,
        "qr_code": mark_safe(qr_code),  # noqa: S308  (segno's SVG of our own otpauth URL)
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "replacing": has_authenticator(user),
    }
    return render(request, "accounts/second_factor_enrol.html", context)
