from django.apps import AppConfig


class ImplantationConfig(AppConfig):
    name = "relais.implantation"
    label = "implantation"
    verbose_name = "Implantation d'une SIAE en détention"
