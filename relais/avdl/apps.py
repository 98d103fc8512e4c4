from django.apps import AppConfig


class AvdlConfig(AppConfig):
    name = "relais.avdl"
    label = "avdl"
    verbose_name = "AVDL Justice (accompagnement vers et dans le logement)"
