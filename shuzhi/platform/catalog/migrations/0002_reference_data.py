from django.db import migrations

from shuzhi.platform.catalog.reference import CODE_TABLES, THEMATIC_WAREHOUSES, THEMES


def load(apps, schema_editor):
    Theme = apps.get_model("catalog", "Theme")
    ThematicWarehouse = apps.get_model("catalog", "ThematicWarehouse")
    CodeTable = apps.get_model("catalog", "CodeTable")
    for code, name, name_en in THEMES:
        Theme.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})
    for code, name, name_en in THEMATIC_WAREHOUSES:
        ThematicWarehouse.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
    for code, name, name_en, source in CODE_TABLES:
        CodeTable.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "source": source}
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
