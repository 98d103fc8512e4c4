from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "relais.imports"
    label = "imports"
    verbose_name = "Imports de fichiers"
