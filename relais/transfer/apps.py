from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "relais.transfer"
    label = "transfer"
    verbose_name = "Export et import d'un territoire"
