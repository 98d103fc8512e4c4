"""Forms of the second factor: the code from the authenticator app, or a recovery code."""

from django import forms
from django.core.exceptions import ValidationError
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG_CODE = (
    "Code incorrect ou expiré. Saisissez le code à 6 chiffres affiché en ce moment par votre "
    "application, ou l'un de vos codes de secours."
)
TOO_MANY_TRIES = "Trop de codes erronés : patientez une minute avant de réessayer."


def _code_field(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SecondFactorForm(forms.Form):
    """Checks a 6-digit code against the user's authenticator, anything else against their
    recovery codes (each works once). `device` is the one that matched."""

    code = _code_field(
        "Code de vérification",
        "Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.device: Device | None = None

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).lower()
        model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
        devices = list(model.objects.devices_for_user(self.user, confirmed=True))
        if devices and not any(device.verify_is_allowed()[0] for device in devices):
            raise ValidationError(TOO_MANY_TRIES)
        for device in devices:
            # django_otp.verify_token locks the device row: one code, one use.
            self.device = verify_token(self.user, device.persistent_id, code)
            if self.device:
                return code
        raise ValidationError(WRONG_CODE)


class EnrolmentForm(forms.Form):
    """The first code from a newly added authenticator, which proves it is set up."""

    code = _code_field(
        "Code affiché par l'application",
        "Les 6 chiffres que votre application affiche pour Relais, sans espace.",
    )

    def __init__(self, device: TOTPDevice, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not self.device.verify_is_allowed()[0]:
            raise ValidationError(TOO_MANY_TRIES)
        if not self.device.verify_token(code):
            raise ValidationError(
                "Ce code ne correspond pas. Vérifiez que l'heure de votre téléphone est juste, "
                "puis saisissez le code affiché en ce moment."
            )
        return code
