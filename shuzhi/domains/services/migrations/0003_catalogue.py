"""Model changes of the catalogue capability (kept apart so that capabilities can change their
models independently; empty when there are none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0002_catalogue_applications_licences_benefits")]

    operations: list = []
