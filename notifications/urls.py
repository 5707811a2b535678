from django.urls import path

from notifications import views

app_name = "notifications"

# Mounted under /me/.
urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/open/", views.open_notification, name="open"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/failed/", views.failed_deliveries, name="failed"),
]
