# Helper B's slot: the topic taxonomy (主题分类) of the national policy library, as data.
# Production needs it (every document is filed under a second-level topic), not only the demo.

import json
from pathlib import Path

from django.db import migrations

TOPICS_FILE = Path(__file__).resolve().parent.parent / "data" / "topics.json"


def load_topics(apps, schema_editor):
    """Create or update every topic of ``data/topics.json`` (first level, then its children)."""
    Topic = apps.get_model("policy", "Topic")
    for top in json.loads(TOPICS_FILE.read_text(encoding="utf-8")):
        parent, _ = Topic.objects.update_or_create(
            code=top["code"],
            defaults={"name": top["name"], "name_en": top["name_en"], "parent": None},
        )
        for child in top["children"]:
            Topic.objects.update_or_create(
                code=child["code"],
                defaults={"name": child["name"], "name_en": child["name_en"], "parent": parent},
            )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(load_topics, migrations.RunPython.noop)]
