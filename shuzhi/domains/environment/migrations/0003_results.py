# A slot for one part of the environment domain to add its model changes without conflicts.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("environment", "0002_readings")]
    operations: list = []
