"""A trial's plain-language summary written by its study team (TeamSummary), the audit
log's reference to the trial it concerns, and the Coordinators group's right to write
summaries (which trials is decided by their assignments, not by a permission)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


GROUP = "Coordinators"
ACTIONS = ["view", "add", "change", "delete"]


def grant_summaries(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.using(db).get_or_create(
        app_label="trials", model="teamsummary"
    )
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    for action in ACTIONS:
        permission, _ = Permission.objects.using(db).get_or_create(
            content_type=content_type,
            codename=f"{action}_teamsummary",
            defaults={"name": f"Can {action} plain-language summary"},
        )
        group.permissions.add(permission)


def revoke_summaries(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.using(schema_editor.connection.alias).filter(
        content_type__app_label="trials", codename__endswith="_teamsummary"
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('trials', '0005_hardening'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name='auditlogentry',
            name='nct_id',
            field=models.CharField(blank=True, help_text='The trial whose summary was written.', max_length=16, verbose_name='NCT ID'),
        ),
        migrations.AlterField(
            model_name='auditlogentry',
            name='action',
            field=models.CharField(choices=[('VIEW', 'Viewed'), ('CREATE', 'Created'), ('CHANGE', 'Changed'), ('EXPORT', 'Exported'), ('DELETE', 'Deleted')], max_length=8),
        ),
        migrations.CreateModel(
            name='TeamSummary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(help_text='A few short paragraphs in everyday words, for patients. Markdown: *emphasis*, **bold**, lists with - and links. Shown on the trial page as “Written by the study team”, with the date of the last change.', verbose_name='plain-language summary')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('trial', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='team_summary', to='trials.trial')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'plain-language summary',
                'verbose_name_plural': 'plain-language summaries',
            },
        ),
        migrations.RunPython(grant_summaries, revoke_summaries),
    ]
