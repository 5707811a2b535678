from django.urls import path

from alliance import views

app_name = "alliance"

urlpatterns = [
    path("", views.alliance_index, name="index"),
    path("units/<slug:slug>/", views.unit_detail, name="unit_detail"),
    path("venues/", views.venue_list, name="venues"),
    path("buildings/", views.building_list, name="buildings"),
    path("switch/", views.switch_alliance, name="switch"),
    path("roster/", views.roster_page, name="roster"),
    path("roster/template.xlsx", views.roster_template, name="roster_template"),
    path("roster/export.xlsx", views.roster_export, name="roster_export"),
    path("roster/confirm/", views.roster_confirm, name="roster_confirm"),
]
