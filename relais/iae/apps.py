from django.apps import AppConfig


class IaeConfig(AppConfig):
    name = "relais.iae"
    label = "iae"
    verbose_name = "Insertion par l'activité économique en détention"
