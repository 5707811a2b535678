from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("feed.ics", views.public_feed, name="feed"),
    path("feed/<slug:token>.ics", views.member_feed, name="member_feed"),
    path("feed/reset/", views.reset_feed_token, name="reset_feed"),
    path("new/", views.event_new, name="new"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("hours/<int:pk>/correct/", views.correct_record,
         name="correct"),
    path("hours/member/<int:member_id>/", views.hours_summary, name="hours_summary"),
]

# 志愿服务记录证明 and correction requests (issue 17)
urlpatterns += [
    path("hours/member/<int:member_id>/certificate/", views.certificate_new,
         name="certificate_new"),
    path("hours/<int:pk>/request-correction/", views.correction_request_new,
         name="request_correction"),
    path("hours/corrections/", views.correction_request_list, name="correction_requests"),
    path("hours/corrections/<int:pk>/", views.correction_request_detail,
         name="correction_request"),
]

# /certificates/…, included by yichuan/urls.py under the namespace "certificates".
certificate_urlpatterns = [
    path("<slug:serial>/", views.certificate_verify, name="verify"),
    path("<slug:serial>/print/", views.certificate_print, name="print"),
    path("<slug:serial>/revoke/", views.certificate_revoke, name="revoke"),
]
