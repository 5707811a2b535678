import io

import openpyxl
import pytest

from alliance.models import Member, Unit
from tests.factories import AllianceFactory, MemberFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_admin_creates_accounts_for_imported_members(admin_client):
    alliance = AllianceFactory()
    with_account = MemberFactory(alliance=alliance)
    new = MemberFactory(alliance=alliance, user=None, email="new@example.cn", name="新成员")
    response = admin_client.post("/admin/alliance/member/", {
        "action": "create_accounts", "_selected_action": [with_account.pk, new.pk]})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.user.username == "new@example.cn"
    assert not new.user.has_usable_password()
    assert new.user.groups.filter(name="member").exists()
    assert Member.objects.get(pk=with_account.pk).user == with_account.user


def test_units_export_to_excel_from_admin(admin_client):
    UnitFactory(name="中远两湾城侨联分会", kind=Unit.Kind.BRANCH)
    form = admin_client.get("/admin/alliance/unit/export/").context["form"]
    xlsx = next(value for value, label in form.fields["format"].choices if label == "xlsx")
    data = {"resource": "0", "format": xlsx}
    data.update({name: "on" for name in form.fields if name.startswith("unitresource_")})
    response = admin_client.post("/admin/alliance/unit/export/", data)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    values = [cell.value for row in book.active.iter_rows() for cell in row]
    assert "中远两湾城侨联分会" in values and "branch" in values
