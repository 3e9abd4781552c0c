"""The token of the form an exit survey was entered with, unique: the same form sent twice is saved once.
Empty (NULL, which a unique column allows any number of times) for the surveys entered before. The
surveys' table is small (one row per participant of a held session): its unique index is built in a
moment."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mediation', '0006_attendance_keeps_its_mediator'),
    ]

    operations = [
        migrations.AddField(
            model_name='surveyresponse',
            name='submission',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
    ]
