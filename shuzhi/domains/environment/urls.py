"""Environment pages (生态环境) under /environment/: stations and rejected readings here, the
dashboards from ``urls_results``."""

from django.urls import include, path

from . import views

app_name = "environment"

urlpatterns = [
    path("stations/", views.stations, name="stations"),
    path("stations/<str:code>/key/", views.station_key, name="station_key"),
    path("rejected/", views.rejected, name="rejected"),
    path("", include("shuzhi.domains.environment.urls_results")),
]
