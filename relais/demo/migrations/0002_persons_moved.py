from django.db import migrations


def relabel(apps, schema_editor):
    DemoRecord = apps.get_model("demo", "DemoRecord")
    DemoRecord.objects.filter(model="requests.person").update(model="persons.person")


def unlabel(apps, schema_editor):
    DemoRecord = apps.get_model("demo", "DemoRecord")
    DemoRecord.objects.filter(model="persons.person").update(model="requests.person")


class Migration(migrations.Migration):
    """Person moved to relais.persons: the demo's records of what it created follow."""

    dependencies = [("demo", "0001_initial"), ("persons", "0001_initial")]

    operations = [migrations.RunPython(relabel, unlabel)]
