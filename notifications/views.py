"""The inbox, notification preferences and, for coordinators, failed deliveries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from notifications import services
from notifications.forms import PreferenceForm
from notifications.models import Delivery, Notification


@login_required
@require_safe
def inbox(request):
    notifications = Notification.objects.for_user(request.user).only(
        "id", "subject", "body", "url", "kind", "created_at", "read_at")
    if request.GET.get("unread"):
        notifications = notifications.unread()
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page_obj": page, "only_unread": bool(request.GET.get("unread")),
    })


@login_required
@require_POST
def open_notification(request, pk):
    """Mark read and go to what it is about (only a link inside the portal)."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_read(user=request.user, notification_id=notification.pk)
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)s 条通知标为已读。") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    preference = services.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.update_preference(user=request.user,
                                       language=form.cleaned_data["language"],
                                       email_kinds=form.cleaned_data["email_kinds"])
            messages.success(request, _("通知设置已保存。"))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(initial=PreferenceForm.initial_for(preference))
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def failed_deliveries(request):
    if not request.user.has_perm("notifications.view_failed_deliveries"):
        raise Http404
    if request.method == "POST":
        if not request.user.has_perm("notifications.retry_deliveries"):
            raise Http404
        # isascii: "²".isdigit() holds but int() refuses it; 18 digits stay inside a bigint.
        ids = [int(i) for i in request.POST.getlist("delivery")
               if i.isascii() and i.isdigit() and len(i) <= 18]
        count = services.retry_failed(
            delivery_ids=Delivery.objects.failed_for(request.alliance).filter(pk__in=ids))
        messages.success(request, _("已重新排队 %(count)s 条投递。") % {"count": count})
        return redirect("notifications:failed")
    deliveries = (Delivery.objects.failed_for(request.alliance)
                  .select_related("notification__recipient").order_by("-id"))
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failed.html", {"page_obj": page})
