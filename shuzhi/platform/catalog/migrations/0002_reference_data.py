from django.db import migrations

from shuzhi.platform.catalog.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(
        apps.get_model("catalog", "Theme"),
        apps.get_model("catalog", "ThematicWarehouse"),
        apps.get_model("catalog", "CodeTable"),
    )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
