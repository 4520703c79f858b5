"""The "Coordinators" group, with exactly what a study coordinator needs in the admin.

They read trials and sites, read and change contact requests (status, assignee),
and read and add history entries (internal notes). Which requests they see is not a
permission: their CoordinatorAssignments decide (trials.workflow.visible_to).
Permissions are created here because Django only creates them after all migrations.
"""

from django.db import migrations

GROUP = "Coordinators"
PERMISSIONS = {
    "trial": ["view"],
    "site": ["view"],
    "contactrequest": ["view", "change"],
    "contactrequestevent": ["view", "add"],
}


def create_group(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    permissions = []
    for model_name, actions in PERMISSIONS.items():
        model = apps.get_model("trials", model_name)
        content_type, _ = ContentType.objects.using(db).get_or_create(
            app_label="trials", model=model_name
        )
        for action in actions:
            permission, _ = Permission.objects.using(db).get_or_create(
                content_type=content_type,
                codename=f"{action}_{model_name}",
                defaults={"name": f"Can {action} {model._meta.verbose_name}"},
            )
            permissions.append(permission)
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("trials", "0002_database"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
