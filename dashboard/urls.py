from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/statistics.xlsx", views.export_statistics, name="export_statistics"),
    path("export/suggestions.<str:fmt>", views.export_suggestions, name="export_suggestions"),
]
