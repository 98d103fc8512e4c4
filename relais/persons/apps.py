from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "relais.persons"
    label = "persons"
    verbose_name = "Personnes et ménages"
