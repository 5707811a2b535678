"""Demo announcements: a handful of each kind, one scheduled, one members-only with partial
reads (the demo `liaison` has read it, the demo `member` has not)."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.context import default_alliance_id
from alliance.models import Alliance, Unit
from announcements.models import Announcement, AnnouncementRead

K = Announcement.Kind
A = Announcement.Audience

ITEMS = [
    # (days ago, kind, audience, pinned, title, body)
    (1, K.NOTICE, A.PUBLIC, True, "关于开展“两湾十景”金点子征集的通知（演示）",
     "各成员单位、各位统战人士：\n\n为持续推进 **“两湾十景”** 打造工作，现面向联盟成员和居民征集建议。\n\n"
     "- 征集时间：即日起至月底\n- 提交方式：登录本平台“建言直通车”\n\n欢迎大家踊跃建言献策！"),
    (3, K.NOTICE, A.MEMBERS, False, "本月汇智沙龙议题及报名安排（成员通知，演示）",
     "本月 **汇智沙龙** 围绕“楼道堆物整治”开展研讨，请各分会联络员组织成员报名，"
     "并提前梳理居民反映的问题。\n\n会后请及时通过直通车提交建议。"),
    (8, K.NOTICE, A.UNITS, False, "中远侨联 侨法宣传月工作部署（单位通知，演示）",
     "请中远侨联各位成员于本周五前确认宣传点位与值守时间。"),
    (2, K.NEWS, A.PUBLIC, False, "中远314红色楼组党建经验推广交流会举行（演示）",
     "联盟组织各分会走进中远314红色楼组，交流楼组自治与党建引领经验。"),
    (6, K.NEWS, A.PUBLIC, False, "小湾豆文明实践志愿联盟开展端午慰问（演示）",
     "护湾豆、研湾豆、美湾豆三支小队走访辖区独居老人，送去粽子和节日祝福。"),
    (12, K.NEWS, A.PUBLIC, False, "同心两湾 文明实践团队参与文明城区创建（演示）",
     "志愿者分组开展楼道堆物整治与垃圾分类宣传，累计服务 120 余人次。"),
    (4, K.POLICY, A.PUBLIC, False, "侨法宣传月：归侨侨眷权益保护知识问答（演示）",
     "## 您知道吗？\n\n归侨侨眷依法享有的合法权益受法律保护。详情可咨询街道统战办。"),
    (9, K.POLICY, A.PUBLIC, False, "民族宗教法制宣传学习月要点（演示）",
     "学习月期间，各民族团结文明楼组将开展公约宣读和法律知识讲座。"),
    (-3, K.POLICY, A.PUBLIC, False, "涉台宣传月活动预告（定时发布，演示）",
     "涉台宣传月系列活动将于下月启动，敬请关注。"),
]


def load(*, stdout=None):
    alliance = Alliance.objects.filter(pk=default_alliance_id()).first()
    if alliance is None or Announcement.objects.filter(alliance=alliance).exists():
        return
    User = get_user_model()
    coordinator = User.objects.filter(username="coordinator").first()
    now = timezone.now()
    branch = Unit.objects.filter(alliance=alliance, slug="zhongyuan-qiaolian").first()
    members_only = None
    for days_ago, kind, audience, pinned, title, body in ITEMS:
        if audience == A.UNITS and branch is None:
            continue
        announcement = Announcement.objects.create(
            alliance=alliance, title=title, body=body, kind=kind, audience=audience,
            pinned=pinned, author=coordinator,
            publish_at=now - datetime.timedelta(days=days_ago, hours=2),
        )
        if audience == A.UNITS:
            announcement.units.set([branch])
        if audience == A.MEMBERS:
            members_only = announcement
    readers = User.objects.filter(username="liaison")
    if members_only is not None:
        AnnouncementRead.objects.bulk_create(
            [AnnouncementRead(announcement=members_only, user=user) for user in readers])
    if stdout:
        stdout.write(f"公告：{len(ITEMS)} 条（含成员通知的阅读记录）。")
