from django.apps import AppConfig


class ExitPlanConfig(AppConfig):
    name = "relais.exitplan"
    label = "exitplan"
    verbose_name = "Plans de sortie de détention"
