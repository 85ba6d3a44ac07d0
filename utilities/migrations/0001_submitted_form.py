# The one-time form tokens moved from villages to the shared floor. The table stays
# villages_submittedform: only Django's idea of which app owns it changes, nothing in the database.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("villages", "0004_display_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SubmittedForm",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("token", models.UUIDField(unique=True, verbose_name="form token")),
                        ("submitted_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="submitted at")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="user")),
                    ],
                    options={
                        "verbose_name": "submitted form",
                        "verbose_name_plural": "submitted forms",
                        "ordering": ["-submitted_at", "-pk"],
                        "db_table": "villages_submittedform",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
