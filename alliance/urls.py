from django.urls import path

from alliance import views

app_name = "alliance"

urlpatterns = [
    path("", views.alliance_index, name="index"),
    path("units/<slug:slug>/", views.unit_detail, name="unit_detail"),
    path("venues/", views.venue_list, name="venues"),
    path("buildings/", views.building_list, name="buildings"),
    path("switch/", views.switch_alliance, name="switch"),
]
