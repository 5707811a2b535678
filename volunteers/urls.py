from django.urls import path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("feed.ics", views.public_feed, name="feed"),
    path("feed/<slug:token>.ics", views.member_feed, name="member_feed"),
    path("feed/reset/", views.reset_feed_token, name="reset_feed"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.event_register, name="register"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("hours/<int:pk>/correct/", views.correct_record,
         name="correct"),
    path("hours/member/<int:member_id>/", views.hours_summary, name="hours_summary"),
]
