from django.apps import AppConfig


class CommissionConfig(AppConfig):
    name = "relais.commission"
    label = "commission"
    verbose_name = "Commission justice"
