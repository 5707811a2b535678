"""Demo data for the alliance: 6+12+6 units, sub-teams, venues, 18 buildings, ~60 members
and the demo accounts. Everything is marked as demo data (Alliance.is_demo, "（演示）")."""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from alliance.models import (
    Alliance,
    CompositionTarget,
    Member,
    Membership,
    StaffRole,
    Unit,
    UnityBuilding,
    Venue,
)
from alliance.roles import HELD_FOR_AN_ALLIANCE, Role

DEMO_PASSWORD = "Yichuan@2026"  # noqa: S105  # nosec B105

BRANCHES = [
    ("zhongyuan-qiaolian", "中远两湾城侨联分会", "中远侨联", "归侨侨眷在中远两湾城的联谊组织。"),
    ("zhilian", "宜川路街道知识分子联谊分会", "知联会", "党外知识分子的联谊与建言平台。"),
    ("xinlian", "宜川路街道新的社会阶层人士联谊分会", "新联会", "新的社会阶层人士参与社区治理。"),
    ("minlian", "宜川路街道少数民族联谊会", "少数民族联谊会", "服务辖区少数民族群众，推进民族团结楼组创建。"),
    ("tailian", "宜川路街道台胞台属联谊分会", "台属联谊会", "联系台胞台属，开展涉台宣传。"),
    ("zongjiao", "宜川路街道民族宗教工作分会", "民宗分会", "民族宗教法制宣传与联谊。"),
]
ENTERPRISES = [
    ("yc-school", "宜川中学（演示）"), ("yc-health", "宜川社区卫生服务中心（演示）"),
    ("yc-hospital", "普陀区宜川医院（演示）"), ("yc-primary", "宜川路第一小学（演示）"),
    ("yc-property", "两湾城物业服务公司（演示）"), ("yc-bank", "宜川支行（演示）"),
    ("yc-law", "宜川律师事务所（演示）"), ("yc-market", "宜川菜场经营公司（演示）"),
    ("yc-tech", "宜川数字科技公司（演示）"), ("yc-culture", "宜川社区文化活动中心（演示）"),
    ("yc-logistics", "中远物流服务站（演示）"), ("yc-pharmacy", "宜川大药房（演示）"),
]
TEAMS = [
    ("tongxin-lianwan", "同心两湾文明实践团队", "同心两湾", []),
    ("xiaowandou", "小湾豆文明实践志愿联盟", "小湾豆", [
        ("huwandou", "护湾豆", "守护两湾：楼道堆物整治、文明城区创建。"),
        ("yanwandou", "研湾豆", "研学两湾：青少年社会实践与爱心助学。"),
        ("meiwandou", "美湾豆", "美化两湾：垃圾分类与环境美化。"),
    ]),
    ("falv-yuanzhu", "同心法律援助志愿队", "法律援助队", []),
    ("aixin-zhuxue", "同心爱心助学志愿队", "爱心助学队", []),
    ("lajifenlei", "同心垃圾分类督导队", "垃圾分类队", []),
    ("jiankang-fuwu", "同心健康服务志愿队", "健康服务队", []),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国海燕晨曦"


def load(*, stdout=None):
    """Create the demo alliance once; returns it (an existing one is returned untouched)."""
    existing = Alliance.objects.filter(slug="yiqi-kaopu").first()
    if existing:
        return existing
    rng = random.Random(2021)  # noqa: S311 - deterministic demo data
    alliance = Alliance.objects.create(
        name="宜起靠谱 同心统战大联盟", short_name="宜起靠谱", slug="yiqi-kaopu",
        subdistrict="普陀区宜川路街道", founded=datetime.date(2021, 6, 1), is_demo=True,
        intro="（演示数据）2021年成立，以“6+12+6”架构凝聚统战力量：组织联动、阵地联创、活动联谊、难事联办。",
    )
    for kind, target in [(Unit.Kind.BRANCH, 6), (Unit.Kind.ENTERPRISE, 12),
                         (Unit.Kind.VOLUNTEER_TEAM, 6)]:
        CompositionTarget.objects.create(alliance=alliance, kind=kind, target=target)

    units = []
    for i, (slug, name, short, desc) in enumerate(BRANCHES):
        units.append(Unit.objects.create(alliance=alliance, kind=Unit.Kind.BRANCH, slug=slug,
                                         name=name, short_name=short, description=desc, order=i))
    for i, (slug, name) in enumerate(ENTERPRISES):
        units.append(Unit.objects.create(
            alliance=alliance, kind=Unit.Kind.ENTERPRISE, slug=slug, name=name, order=i,
            description="辖区重点企事业单位（演示数据），参与难事联办与志愿服务。"))
    for i, (slug, name, short, children) in enumerate(TEAMS):
        team = Unit.objects.create(alliance=alliance, kind=Unit.Kind.VOLUNTEER_TEAM, slug=slug,
                                   name=name, short_name=short, order=i,
                                   description=f"{name}：同心志愿服务团队（演示数据）。")
        units.append(team)
        for j, (cslug, cname, cdesc) in enumerate(children):
            units.append(Unit.objects.create(
                alliance=alliance, kind=Unit.Kind.VOLUNTEER_TEAM, slug=cslug, name=cname,
                parent=team, description=cdesc, order=j))

    salon = Venue.objects.create(alliance=alliance, name="汇智沙龙", slug="huizhi-salon",
                                 kind=Venue.Kind.SALON, address="宜川路街道党群服务中心三楼",
                                 opening_hours="每月第二个周四 14:00–16:30",
                                 description="统战人士议事建言、学习交流的沙龙阵地。")
    unity = Venue.objects.create(alliance=alliance, name="少数民族团结楼", slug="unity-building",
                                 kind=Venue.Kind.UNITY, address="中远两湾城（演示地址）",
                                 description="民族团结进步教育与联谊活动阵地。")
    station = Venue.objects.create(alliance=alliance, name="两湾志愿服务站", slug="liangwan-station",
                                   kind=Venue.Kind.SERVICE, address="两湾城社区服务点（演示地址）",
                                   opening_hours="周一至周五 9:00–17:00",
                                   description="同心志愿服务团队的集合点与物资站。")
    salon.units.set(units[:3])
    unity.units.set([units[3], units[5]])
    station.units.set([u for u in units if u.kind == Unit.Kind.VOLUNTEER_TEAM][:4])

    communities = ["中远两湾城第一居委", "中远两湾城第二居委", "宜川一村居委", "宜川二村居委",
                   "宜川三村居委", "泰山居委"]
    for n in range(18):
        UnityBuilding.objects.create(
            alliance=alliance, community=communities[n % len(communities)],
            building=f"{n // len(communities) * 10 + n % len(communities) + 1}号楼",
            plaque_date=datetime.date(2019 + n % 4, 1 + n % 12, 10),
            households=rng.randint(24, 96),
            ethnic_groups=rng.choice(["汉族、回族", "汉族、满族、蒙古族", "汉族、朝鲜族", "汉族、回族、壮族"]),
            convention="一、邻里守望，互帮互助；\n二、尊重各民族风俗习惯；\n三、楼道整洁，不堆杂物；\n四、垃圾分类，人人参与。",
        )

    top_units = [u for u in units if u.parent_id is None]
    members = []
    for n in range(60):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if n % 3 else "")
        members.append(Member(
            alliance=alliance, name=name, identity=rng.choice(Member.Identity.values),
            phone=f"139{rng.randint(10000000, 99999999)}",
            email=f"member{n:02d}@example.cn", joined=datetime.date(2021, 6 + n % 6, 1)))
    Member.objects.bulk_create(members)
    memberships = []
    for n, member in enumerate(members):
        unit = top_units[n % len(top_units)]
        role = Membership.Role.LIAISON if n < len(top_units) else Membership.Role.MEMBER
        memberships.append(Membership(member=member, unit=unit, role=role))
    Membership.objects.bulk_create(memberships)

    _demo_accounts(alliance, members, units)
    if stdout:
        stdout.write(f"联盟：{len(top_units)} 个单位（含下设 {len(units) - len(top_units)} 支小队），"
                     f"{len(members)} 名成员，18 个楼组。")
    return alliance


def _demo_accounts(alliance, members, units):
    from yichuan.accounts import record_verified_email

    User = get_user_model()
    groups = {g.name: g for g in Group.objects.all()}

    def account(username, name, role_names, *, staff=False, superuser=False, member=None):
        user = User(username=username, first_name=name, email=f"{username}@example.cn",
                    is_staff=staff or superuser, is_superuser=superuser)
        user.set_password(DEMO_PASSWORD)
        user.save()
        record_verified_email(user)  # made by staff: the address receives mail
        # A database flushed after its migrations (the browser tests') lacks their groups.
        user.groups.set([groups.get(r) or Group.objects.get_or_create(name=r)[0]
                         for r in role_names if r not in HELD_FOR_AN_ALLIANCE])
        StaffRole.objects.bulk_create([StaffRole(user=user, alliance=alliance, role=r)
                                       for r in role_names if r in HELD_FOR_AN_ALLIANCE])
        if member is not None:
            member.user = user
            member.save(update_fields=["user"])
        return user

    account("admin", "系统管理员", [Role.ADMIN], superuser=True)
    account("coordinator", "统战办 周协调", [Role.COORDINATOR])
    account("handler", "承办人 林办理", [Role.HANDLER])
    member = members[-1]
    account("member", member.name, [Role.MEMBER], member=member)
    liaison = members[0]  # liaison of the first branch (see the memberships above)
    account("liaison", liaison.name, [Role.MEMBER, Role.LIAISON], member=liaison)
    account("district", "区委统战部 孙统计", [Role.DISTRICT])
