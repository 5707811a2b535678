"""Public announcements as Atom (``/announcements/feed/``) and RSS (``…/feed/rss/``)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from announcements.models import Announcement


class PublicAnnouncementsRss(Feed):
    description = _("通知公告、工作动态、政策宣传")
    link = reverse_lazy("announcements:list")

    def get_object(self, request, *args, **kwargs):
        return request.alliance

    def title(self, alliance):
        return _("%(name)s · 公告") % {"name": alliance.name}

    def items(self, alliance):
        return (Announcement.objects.filter(alliance=alliance).public()
                .order_by("-publish_at", "-id")[:30])

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.get_kind_display()]


class PublicAnnouncementsAtom(PublicAnnouncementsRss):
    feed_type = Atom1Feed
    subtitle = PublicAnnouncementsRss.description
