from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "relais.demo"
    label = "demo"
    verbose_name = "Territoire de démonstration"
