"""The annual assessment's starting weights (reviewers change them on the assessment page)."""

from django.db import migrations

WEIGHTS = {
    "progress": 30,
    "meeting": 25,
    "no_rebound": 15,
    "work_on_time": 15,
    "findings_closed": 15,
}


def add_weights(apps, schema_editor):
    AssessmentWeight = apps.get_model("supervision", "AssessmentWeight")
    for indicator, weight in WEIGHTS.items():
        AssessmentWeight.objects.get_or_create(indicator=indicator, defaults={"weight": weight})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(add_weights, migrations.RunPython.noop)]
