"""Model changes of the catalogue capability (kept apart so that capabilities can change their
models independently): the preconditions (前置条件) of a service item."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("services", "0002_catalogue_applications_licences_benefits")]

    operations = [
        migrations.AddField(
            model_name="serviceitem",
            name="preconditions",
            field=models.JSONField(blank=True, default=list, verbose_name="preconditions"),
        ),
    ]
