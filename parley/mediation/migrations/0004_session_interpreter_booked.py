"""Whether the coordinator booked an interpreter for a session (the language rule of a booking), with a
default in the database too, so that a row written without it (the demo's bulk loader, an older
release still running) is valid. Sessions booked before it read "no interpreter booked"."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0003_session_scheduled_start'),
    ]

    operations = [
        migrations.AddField(
            model_name='mediationsession',
            name='interpreter_booked',
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
