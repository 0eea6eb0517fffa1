"""Model changes of the benefits capability (kept apart so that capabilities can change their
models independently; empty when there are none)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0004_licences")]

    operations: list = []
