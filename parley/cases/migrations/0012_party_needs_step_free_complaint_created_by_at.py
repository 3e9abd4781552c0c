"""Whether a person needs step-free access (the venue rule reads it; the free text of other needs stays
beside it), with a default in the database too, so that a row written without it (the demo's bulk
loader, an older release still running) is valid. And an index of what each person recorded lately,
for intake's check of the same complaint saved twice: at a million complaints its creation holds
writes to the complaints for some seconds."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_intake_submission'),
        ('policies', '0002_retention'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='party',
            name='needs_step_free',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['created_by', 'created_at'], name='complaint_created_by_at'),
        ),
    ]
