# A slot for one part of the policy library to add its model changes without conflicts.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_pages")]
    operations: list = []
