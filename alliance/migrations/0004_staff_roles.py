"""Staff roles held for an alliance (alliance.models.StaffRole), a host name per alliance,
and the district role.

Today's global coordinator and handler groups move to the default alliance
(settings.PORTAL_ALLIANCE_SLUG, else the first), so a single-alliance deployment keeps
working with no configuration; the two groups are then removed, since nothing reads them.
Reversing moves every held role back into the groups.
"""

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

HELD = ["coordinator", "handler"]


def move_to_default_alliance(apps, schema_editor):
    Alliance = apps.get_model("alliance", "Alliance")
    Group = apps.get_model("auth", "Group")
    StaffRole = apps.get_model("alliance", "StaffRole")
    Group.objects.get_or_create(name="district")
    alliance = (Alliance.objects.filter(slug=settings.PORTAL_ALLIANCE_SLUG).first()
                or Alliance.objects.order_by("pk").first())
    for group in Group.objects.filter(name__in=HELD):
        users = list(group.user_set.all())
        if users and alliance is None:
            continue  # nowhere to hold them yet: the group stays, as before
        StaffRole.objects.bulk_create(
            [StaffRole(user=user, alliance=alliance, role=group.name) for user in users],
            ignore_conflicts=True)
        group.delete()


def back_to_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    StaffRole = apps.get_model("alliance", "StaffRole")
    for name in HELD:
        group, _ = Group.objects.get_or_create(name=name)
        group.user_set.add(*{held.user for held in StaffRole.objects.filter(role=name)})
    Group.objects.filter(name="district").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("alliance", "0003_queue_version"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="alliance",
            name="host",
            field=models.CharField(
                blank=True, help_text="访问这个域名时显示本联盟，例如 changfeng.example.cn；不填则按登录身份显示。",
                max_length=253, null=True, unique=True, verbose_name="专用域名"),
        ),
        migrations.CreateModel(
            name="StaffRole",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("role", models.CharField(choices=[("coordinator", "统战办协调员"), ("handler", "承办人")], max_length=20, verbose_name="角色")),
                ("alliance", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="staff_roles", to="alliance.alliance", verbose_name="联盟")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="staff_roles", to=settings.AUTH_USER_MODEL, verbose_name="账号")),
            ],
            options={
                "verbose_name": "工作人员角色",
                "verbose_name_plural": "工作人员角色",
                "indexes": [models.Index(fields=["alliance", "role"], name="alliance_st_allianc_7ee115_idx")],
                "constraints": [models.UniqueConstraint(fields=("user", "alliance", "role"), name="uniq_staff_role")],
            },
        ),
        migrations.RunPython(move_to_default_alliance, back_to_groups),
    ]
