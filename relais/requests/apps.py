from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "relais.requests"
    label = "requests"
    verbose_name = "Demandes, personnes et ménages"
