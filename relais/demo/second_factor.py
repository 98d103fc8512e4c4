"""The demo accounts' second factor: one fixed, published authenticator secret and fixed
recovery codes, so anyone trying the demo can sign in (README, « Comptes de démonstration »).

Never for real accounts: whoever reads this file can compute their codes.
"""

from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.models import User
from relais.accounts.security import AUTHENTICATOR_NAME, confirm_authenticator

from . import data

# Base32, as authenticator apps take it: add it once, it gives the code of every demo account.
DEMO_TOTP_SECRET = "RELAISDEMORELAISDEMORELAISDEMO22"
DEMO_RECOVERY_CODES = [f"demo-secours-{n:02d}" for n in range(1, 11)]


def demo_usernames() -> list[str]:
    return [spec.username for spec in data.DEMO_ACCOUNTS] + [data.SUPERUSER.username]


def equip_demo_accounts() -> None:
    """Give every demo account the demo authenticator and the demo recovery codes."""
    key = b32decode(DEMO_TOTP_SECRET).hex()
    for user in User.objects.filter(username__in=demo_usernames()):
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, key=key)
        confirm_authenticator(device, recovery_codes=DEMO_RECOVERY_CODES)


def is_demo_device(device: TOTPDevice) -> bool:
    return device.bin_key == b32decode(DEMO_TOTP_SECRET)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def summary_lines() -> list[str]:
    return [
        "",
        "Code de vérification (double authentification) des comptes de démonstration :",
        f"  - ajoutez la clé {DEMO_TOTP_SECRET} à une application d'authentification "
        "(la même pour tous les comptes) ;",
        "  - ou affichez le code du moment : manage.py demo_otp <identifiant> ;",
        f"  - ou utilisez un code de secours, chacun une fois : {DEMO_RECOVERY_CODES[0]} à "
        f"{DEMO_RECOVERY_CODES[-1]} (recréés à chaque chargement).",
    ]
