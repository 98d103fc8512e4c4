from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.demo.second_factor import current_code, is_demo_device


class Command(BaseCommand):
    help = (
        "Affiche le code de vérification du moment d'un compte de démonstration "
        "(double authentification). Refuse tout autre compte."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="identifiant, par ex. operateur.siao")

    def handle(self, *args, username: str, **options):
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None or not is_demo_device(device):
            raise CommandError(
                f"« {username} » n'est pas un compte de démonstration équipé "
                "(lancez d'abord manage.py load_demo)."
            )
        self.stdout.write(current_code(device))
