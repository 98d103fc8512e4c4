from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "relais.justice"
    label = "justice"
    verbose_name = "Justice (détention, SPIP)"
