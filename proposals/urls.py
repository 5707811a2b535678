from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("new/", views.suggestion_new, name="new"),
    path("new/similar/", views.similar, name="similar"),
    path("golden/", views.golden, name="golden"),
    path("<slug:tracking_number>/", views.suggestion_detail, name="detail"),
    path("<slug:tracking_number>/attachments/<int:pk>/", views.attachment_download,
         name="attachment"),
    path("<slug:tracking_number>/<slug:action>/", views.suggestion_action, name="action"),
]
