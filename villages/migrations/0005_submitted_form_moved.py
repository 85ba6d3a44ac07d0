# SubmittedForm now belongs to utilities (utilities/0001); its table is kept as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("villages", "0004_display_settings"),
        ("utilities", "0001_submitted_form"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SubmittedForm")],
            database_operations=[],
        ),
    ]
