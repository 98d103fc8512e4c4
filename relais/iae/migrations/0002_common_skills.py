"""IAE-05: the referential every site shares (behavioural skills, CléA's 7 domains)."""

from django.db import migrations

from relais.iae.enums import COMMON_SKILLS


def add_common_skills(apps, schema_editor):
    Skill = apps.get_model("iae", "Skill")
    for position, (family, label) in enumerate(COMMON_SKILLS):
        Skill.objects.get_or_create(
            site=None, label=label, defaults={"family": family, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("iae", "0001_initial")]

    operations = [migrations.RunPython(add_common_skills, migrations.RunPython.noop)]
