"""Demo suggestions: categories, suggestions in every state (the two golden ideas of the
source among them), overdue ones and one reopened after 不满意. Walked through the
services, so timelines and notifications are what the real pipeline writes; dates are
then moved into the past for the overdue ones."""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from alliance.models import Alliance, Unit
from volunteers.models import Event

from . import services
from .models import Category, Suggestion

# The 签收单 the demo handler attaches as evidence of implementation: a one-page PDF.
RECEIPT_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")

CATEGORIES = [
    ("社区治理", "楼组自治、议事协商、物业管理等。"),
    ("城市更新", "旧住房改造、加装电梯、公共空间微更新等。"),
    ("民生服务", "为老服务、便民设施、就业帮扶等。"),
    ("文化建设", "文明实践、特色活动、阵地建设等。"),
    ("民族团结", "民族团结文明楼组、少数民族群众服务等。"),
]

IDEAS = [
    # (title, content, category index, target)
    ("打造两湾十景", "建议梳理中远两湾城及周边的特色景观，评选“两湾十景”，配套导览标识和打卡路线，"
     "提升社区文化认同。", 3, "golden"),
    ("推广中远314红色楼组党建经验", "中远两湾城314号楼组党建引领楼组自治成效明显，建议总结经验，"
     "在街道其他楼组推广。", 0, "golden"),
    ("宜川一村加装电梯协调机制", "建议建立加装电梯的居民协商和矛盾调处机制。", 1, "closed"),
    ("增设社区助餐点", "老年居民就餐不便，建议在宜川二村增设助餐点。", 2, "implemented"),
    ("楼道堆物长效整治", "建议建立楼道堆物定期巡查和志愿者劝导机制。", 0, "reopened"),
    ("民族团结楼组公约上墙", "建议在18个民族团结文明楼组统一制作公约展示牌。", 4, "in_progress"),
    ("汇智沙龙线上报名", "建议沙龙活动提供线上报名和提醒。", 3, "replied"),
    ("侨法宣传进楼组", "建议侨法宣传月活动深入楼组开展。", 4, "not_implemented"),
    ("夜间停车位错峰共享", "建议与周边企业协商夜间错峰共享停车位。", 1, "accepted_overdue"),
    ("社区健身步道照明", "步道夜间照明不足，建议增设路灯。", 1, "accepted"),
    ("垃圾分类积分兑换", "建议设立垃圾分类积分兑换点。", 0, "submitted_overdue"),
    ("小湾豆志愿者培训课程", "建议为小湾豆志愿者开设系统培训课程。", 3, "submitted"),
    ("增设快递柜", "小区快递柜不足。", 2, "withdrawn"),
    ("小区门口设摊", "建议允许在小区门口设摊经营。", 2, "declined"),
    ("旧改加装电梯（重复）", "与已提交的加装电梯建议相同。", 1, "merged"),
    ("为老服务热线", "建议开通为老服务热线，方便独居老人求助。", 2, "no_response"),
    ("推进中超期：公共绿地改造", "建议改造宜川路沿线公共绿地。", 1, "progress_overdue"),
]


def load(*, stdout=None):
    alliance = Alliance.objects.filter(slug="yiqi-kaopu").first()
    if alliance is None or Category.objects.filter(alliance=alliance).exists():
        return
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["member", "handler", "coordinator", "liaison"])}
    member, handler, coordinator = users["member"], users["handler"], users["coordinator"]
    liaison_unit = Unit.objects.filter(slug="zhongyuan-qiaolian").first()
    units = list(Unit.objects.filter(alliance=alliance, parent__isnull=True)[:6])
    categories = [
        Category.objects.create(alliance=alliance, name=name, help_text=help_text, order=i,
                                default_lead_unit=units[i % len(units)] if units else None)
        for i, (name, help_text) in enumerate(CATEGORIES)
    ]

    def submit(title, content, category):
        return services.submit_suggestion(actor=member, alliance=alliance, category=category,
                                          title=title, content=content, credit_publicly=True)

    def accept(s):
        co = [liaison_unit] if liaison_unit and liaison_unit.pk != s.lead_unit_id else []
        return services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler,
                                          co_units=co)

    def implement(s):
        s = services.reply_suggestion(actor=handler, suggestion=s,
                                      text="感谢您的建议，已会同相关单位研究，将按计划推进。")
        s = services.record_progress(actor=handler, suggestion=s, text="已召开协调会，明确分工。")
        return services.record_implementation(
            actor=handler, suggestion=s, text="已完成并经现场核实，居民签收单附后。",
            evidence=[services.Evidence(file=ContentFile(RECEIPT_PDF, name="居民签收单.pdf"),
                                        content_type="application/pdf", public=True)])

    past = timezone.now() - datetime.timedelta(days=30)
    first_merge_target = None
    for title, content, index, target in IDEAS:
        s = submit(title, content, categories[index])
        if target == "submitted":
            continue
        if target == "submitted_overdue":
            Suggestion.objects.filter(pk=s.pk).update(
                submitted_at=past, accept_due=(past + datetime.timedelta(days=3)).date())
            continue
        if target == "withdrawn":
            services.withdraw_suggestion(actor=member, suggestion=s, reason="已自行解决。")
            continue
        if target == "declined":
            services.decline_suggestion(actor=coordinator, suggestion=s,
                                        reason="涉及占道经营，不符合市容管理规定。")
            continue
        if target == "merged":
            services.merge_suggestion(actor=coordinator, suggestion=s, into=first_merge_target)
            continue
        s = accept(s)
        if first_merge_target is None:
            first_merge_target = s
        if target == "accepted":
            continue
        if target == "accepted_overdue":
            Suggestion.objects.filter(pk=s.pk).update(
                accepted_at=past, reply_due=(past + datetime.timedelta(days=14)).date())
            continue
        if target == "replied":
            services.reply_suggestion(actor=handler, suggestion=s, text="已答复，正在研究方案。")
            continue
        if target == "not_implemented":
            s = services.reply_suggestion(actor=handler, suggestion=s, text="已答复。")
            services.conclude_not_implemented(actor=handler, suggestion=s, grade="C",
                                              reason="已列入明年宣传月计划。")
            continue
        if target in ("in_progress", "progress_overdue"):
            s = services.reply_suggestion(actor=handler, suggestion=s, text="已答复。")
            s = services.record_progress(actor=handler, suggestion=s, text="已完成现场踏勘。")
            if liaison_unit:
                services.record_progress(actor=users["liaison"], suggestion=s,
                                         text="中远侨联已动员楼组志愿者参与。", unit=liaison_unit)
            if target == "progress_overdue":
                Suggestion.objects.filter(pk=s.pk).update(
                    progress_due=(past + datetime.timedelta(days=14)).date())
            continue
        s = implement(s)
        if target == "implemented":
            continue
        if target == "no_response":
            # Its window ran out a while ago: the scan closes it as "no response".
            Suggestion.objects.filter(pk=s.pk).update(feedback_due=past.date())
            services.auto_close_no_response(suggestion_id=s.pk)
            continue
        if target == "reopened":
            services.give_feedback(actor=member, suggestion=s, rating="dissatisfied",
                                   comment="部分楼道仍有堆物，希望加强巡查。")
            continue
        s = services.give_feedback(actor=member, suggestion=s, rating="satisfied",
                                   comment="效果很好，谢谢！")
        if target == "golden":
            services.mark_golden(actor=coordinator, suggestion=s, summary=content)
    _salon_suggestions(alliance, coordinator, member, categories)
    if stdout:
        stdout.write(f"  proposals: {Suggestion.objects.filter(alliance=alliance).count()} "
                     "suggestions in every state")


def _salon_suggestions(alliance, coordinator, member, categories):
    """Two suggestions the coordinator recorded at the latest past 汇智沙龙 (if the events
    demo made one): the salon link of issue 9."""
    salon = (Event.objects.filter(alliance=alliance, kind=Event.Kind.SALON,
                                  start__lt=timezone.now()).order_by("-start").first())
    if salon is None:
        return
    for title, content in [
        ("沙龙建议：两湾城夜间照明增设", "沙龙上多位成员提出两湾城步道夜间照明不足，建议增设路灯。"),
        ("沙龙建议：侨胞法律咨询进楼组", "建议每月在楼组开展一次涉侨法律咨询。"),
    ]:
        services.submit_suggestion(
            actor=coordinator, alliance=alliance, submitter=member, category=categories[0],
            title=title, content=content, channel=Suggestion.Channel.SALON, source_event=salon)
