"""Migration alliance 0004: today's global coordinator and handler groups become roles held
for the default alliance, so a single-alliance deployment keeps working unconfigured; and
back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("alliance", "0003_queue_version")]
AFTER = [("alliance", "0004_staff_roles")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


# Transactional: migrations change the schema. Its flush afterwards recreates the content
# types (a serialized rollback would not, and leave later tests without them).
@pytest.mark.django_db(transaction=True)
def test_global_roles_move_to_the_default_alliance_and_back(settings):
    old = _migrate(BEFORE)
    Alliance = old.get_model("alliance", "Alliance")
    Group = old.get_model("auth", "Group")
    User = old.get_model("auth", "User")
    Alliance.objects.create(name="另一联盟", short_name="另一", slug="another", subdistrict="甲")
    default = Alliance.objects.create(name="宜起靠谱", short_name="宜起靠谱",
                                      slug=settings.PORTAL_ALLIANCE_SLUG, subdistrict="乙")
    coordinator = User.objects.create(username="old-coordinator")
    handler = User.objects.create(username="old-handler")
    member = User.objects.create(username="old-member")
    Group.objects.get_or_create(name="coordinator")[0].user_set.add(coordinator)
    Group.objects.get_or_create(name="handler")[0].user_set.add(handler, coordinator)
    Group.objects.get_or_create(name="member")[0].user_set.add(member)

    new = _migrate(AFTER)
    StaffRole = new.get_model("alliance", "StaffRole")
    held = set(StaffRole.objects.values_list("user__username", "alliance_id", "role"))
    assert held == {("old-coordinator", default.pk, "coordinator"),
                    ("old-coordinator", default.pk, "handler"),
                    ("old-handler", default.pk, "handler")}
    names = set(new.get_model("auth", "Group").objects.values_list("name", flat=True))
    assert {"member", "district"} <= names and not names & {"coordinator", "handler"}
    assert new.get_model("auth", "User").objects.get(
        username="old-member").groups.filter(name="member").exists()

    old = _migrate(BEFORE)
    back = {(g.name, u.username) for g in old.get_model("auth", "Group").objects.filter(
        name__in=["coordinator", "handler"]) for u in g.user_set.all()}
    assert back == {("coordinator", "old-coordinator"), ("handler", "old-coordinator"),
                    ("handler", "old-handler")}
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
