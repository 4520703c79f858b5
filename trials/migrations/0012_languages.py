"""The languages of contact requests (the one to speak, as a code, and the site's
language the patient wrote in), of alert sign-ups, and of study teams (TeamLanguages),
with the Coordinators group's right to record their team's (which trials is decided by
their assignments, as for summaries)."""


import django.contrib.postgres.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



GROUP = "Coordinators"
ACTIONS = ["view", "add", "change", "delete"]


def grant_team_languages(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="trials", model="teamlanguages"
    )
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    for action in ACTIONS:
        permission, _ = Permission.objects.using(db).get_or_create(
            content_type=content_type,
            codename=f"{action}_teamlanguages",
            defaults={"name": f"Can {action} languages of the study team"},
        )
        group.permissions.add(permission)


def revoke_team_languages(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="trials", codename__endswith="_teamlanguages"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('trials', '0011_places'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contactrequest',
            name='page_language',
            field=models.CharField(blank=True, max_length=10, verbose_name='site language'),
        ),
        migrations.AddField(
            model_name='subscription',
            name='language',
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AlterField(
            model_name='contactrequest',
            name='language',
            field=models.CharField(blank=True, max_length=60, verbose_name='language to speak'),
        ),
        migrations.CreateModel(
            name='TeamLanguages',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('languages', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=10), blank=True, default=list, help_text='The languages someone in the study team can speak with patients.', size=None)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('trial', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='team_languages', to='trials.trial')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'languages of the study team',
                'verbose_name_plural': 'languages of study teams',
            },
        ),
        migrations.RunPython(grant_team_languages, revoke_team_languages),
    ]
