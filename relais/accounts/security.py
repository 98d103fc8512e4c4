"""Authentication rules that are not a screen: passwords, lockout, who the client is."""

import re

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice


def client_ip_address(request: HttpRequest) -> str:
    """The address failed logins are counted against (AXES_CLIENT_IP_CALLABLE).

    Behind RELAIS_TRUSTED_PROXIES proxies, each appended the address it saw to
    X-Forwarded-For: the client is the entry that many places from the end. Entries further
    left were written by the client itself and prove nothing.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.RELAIS_TRUSTED_PROXIES
    if not proxies:
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote_addr


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout, first of AUTHENTICATION_BACKENDS: refuses a locked-out pair.

    Every login over HTTP passes its request (LoginView, the admin's login). Without one (a
    shell, a script, a test) there is no client address to count failures against, so only
    the next backends check the password.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class PaddedCommonPasswordValidator(CommonPasswordValidator):
    """Refuses a common password, also once padded with digits or signs to reach 12 characters.

    With a 12-character minimum, "azerty123456" or "soleil.2026!" are what people type: the
    common word is what an attacker tries first. Our own service names count as common.
    """

    SERVICE_WORDS = {"relais", "siao", "115"}
    _PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")

    def validate(self, password: str, user=None) -> None:
        super().validate(password, user)
        core = self._PADDING.sub("", password.lower().strip())
        if core != password.lower().strip() and (
            core in self.passwords or core in self.SERVICE_WORDS
        ):
            raise ValidationError(
                "Ce mot de passe n'est qu'un mot de passe courant complété de chiffres ou de "
                "signes : il serait deviné parmi les premiers.",
                code="password_too_common",
            )


# -- second factor (django-otp) -----------------------------------------------------------------

AUTHENTICATOR_NAME = "Application d'authentification"
RECOVERY_CODES_NAME = "Codes de secours"
RECOVERY_CODE_COUNT = 10


def has_authenticator(user) -> bool:
    """Whether the user has set up an authenticator app (a confirmed TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: its secret stays the same until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


@transaction.atomic
def confirm_authenticator(
    device: TOTPDevice, *, recovery_codes: list[str] | None = None
) -> list[str]:
    """Make `device` the user's only authenticator and give them new single-use recovery codes.

    Returns the recovery codes (random unless given): shown once, stored only as used-once
    tokens. Any previous authenticator and codes stop working.
    """
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    codes = recovery_codes or [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    static = StaticDevice.objects.create(user=device.user, name=RECOVERY_CODES_NAME)
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def remaining_recovery_codes(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()
