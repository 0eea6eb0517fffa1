"""Model changes of the portal capability (kept apart so that capabilities can change their
models independently; empty when there are none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0005_benefits")]

    operations: list = []
