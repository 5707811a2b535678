from django.urls import path
from django.views.decorators.http import require_safe

from announcements import feeds, views

app_name = "announcements"

urlpatterns = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_create, name="create"),
    path("feed/", require_safe(feeds.PublicAnnouncementsAtom()), name="feed"),
    path("feed/rss/", require_safe(feeds.PublicAnnouncementsRss()), name="feed_rss"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/print/", views.announcement_print, name="print"),
    path("<int:pk>/qr.<str:fmt>", views.announcement_qr, name="qr"),
    path("<int:pk>/cover/", views.announcement_cover, name="cover"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.announcement_attachment,
         name="attachment"),
    path("<int:pk>/reads/", views.announcement_reads, name="reads"),
    path("<int:pk>/reads/remind/", views.announcement_remind, name="remind"),
]
