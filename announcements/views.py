import io
import mimetypes

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from announcements import selectors, services
from announcements.filters import AnnouncementFilter
from announcements.forms import AnnouncementForm
from announcements.models import Announcement

PAGE_SIZE = 15


def _visible(request):
    return Announcement.objects.visible_to(request.user, request.alliance)


@require_safe
def announcement_list(request):
    queryset = selectors.with_read_flag(_visible(request).listed(), request.user)
    filterset = AnnouncementFilter(request.GET, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "announcements/list.html", {
        "filter": filterset,
        "page_obj": page,
        "announcements": page.object_list,
        "query": query.urlencode(),
        "can_publish": request.user.has_perm("announcements.publish_announcement"),
    })


@require_safe
def announcement_detail(request, pk):
    announcement = get_object_or_404(
        _visible(request).prefetch_related("attachments", "units"), pk=pk)
    services.mark_read(user=request.user, announcement=announcement)
    return render(request, "announcements/detail.html", {
        "announcement": announcement,
        "share_url": announcement.absolute_url(),
        "can_view_reads": request.user.has_perm("announcements.view_read_rates"),
    })


@require_safe
def announcement_print(request, pk):
    announcement = get_object_or_404(_visible(request).prefetch_related("attachments"), pk=pk)
    services.mark_read(user=request.user, announcement=announcement)
    return render(request, "announcements/print.html", {
        "announcement": announcement, "share_url": announcement.absolute_url(),
    })


@require_safe
def announcement_qr(request, pk, fmt):
    """The QR code of a public announcement's share link, as PNG or SVG."""
    if fmt not in ("png", "svg"):
        raise Http404
    announcement = get_object_or_404(
        Announcement.objects.filter(alliance=request.alliance).public(), pk=pk)
    url = announcement.absolute_url()
    buffer = io.BytesIO()
    if fmt == "svg":
        qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                    border=4).save(buffer)
        content_type = "image/svg+xml"
    else:
        qrcode.make(url, box_size=8, border=4).save(buffer)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _serve(field_file, *, as_attachment):
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=as_attachment,
                            filename=field_file.name.rsplit("/", 1)[-1],
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def announcement_cover(request, pk):
    announcement = get_object_or_404(_visible(request), pk=pk)
    return _serve(announcement.cover, as_attachment=False)


@require_safe
def announcement_attachment(request, pk, attachment_id):
    announcement = get_object_or_404(_visible(request), pk=pk)
    attachment = get_object_or_404(announcement.attachments, pk=attachment_id)
    return _serve(attachment.file, as_attachment=True)


def _for_coordinator(request, pk):
    if not request.user.has_perm("announcements.view_read_rates"):
        raise Http404
    return get_object_or_404(Announcement.objects.filter(alliance=request.alliance), pk=pk)


@login_required
@require_safe
def announcement_reads(request, pk):
    announcement = _for_coordinator(request, pk)
    if not announcement.tracks_reads:
        raise Http404
    return render(request, "announcements/reads.html", {
        "announcement": announcement,
        "rows": selectors.read_rate_by_unit(announcement),
        "totals": selectors.read_totals(announcement),
        "unread": selectors.unread_members(announcement),
    })


@login_required
@require_POST
def announcement_remind(request, pk):
    announcement = _for_coordinator(request, pk)
    try:
        sent = services.remind_unread(actor=request.user, announcement=announcement)
    except services.AnnouncementError as exc:
        messages.error(request, str(exc))
    else:
        if sent:
            messages.success(request, _("已向 %(n)d 位未读成员发送提醒。") % {"n": sent})
        else:
            messages.info(request, _("今天已经提醒过，没有新的提醒发出。"))
    return redirect("announcements:reads", pk=announcement.pk)


@login_required
def announcement_create(request):
    if not request.user.has_perm("announcements.publish_announcement"):
        raise Http404
    alliance = request.alliance
    form = AnnouncementForm(request.POST or None, request.FILES or None, alliance=alliance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.publish_announcement(
                actor=request.user, alliance=alliance, title=data["title"], body=data["body"],
                kind=data["kind"], audience=data["audience"], units=data["units"],
                publish_at=data["publish_at"], pinned=data["pinned"], cover=data["cover"],
            )
        except services.AnnouncementError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("公告已保存。"))
            return redirect(announcement)
    return render(request, "announcements/form.html", {"form": form})
