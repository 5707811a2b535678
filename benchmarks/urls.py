"""The bench URLconf: the portal's routes plus the two baselines L0 and L1."""

from django.urls import include, path

from benchmarks import views

urlpatterns = [
    path("_bench/l0/", views.trivial, name="bench_l0"),
    path("_bench/l1/", views.raw_work_queue, name="bench_l1"),
    path("", include("yichuan.urls")),
]
