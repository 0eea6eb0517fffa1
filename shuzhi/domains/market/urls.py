"""Market supervision pages under /market/ (one urls_<capability>.py module per capability)."""

from django.urls import include, path

from . import urls_cases, urls_codes, urls_inspections, urls_ip, urls_lifecycle, urls_trace, views

app_name = "market"

urlpatterns = [
    path("", views.index, name="index"),
    path("lookup/", views.lookup, name="lookup"),
    path("public/", views.public, name="public"),
    path("run/", views.run, name="run"),
    path("enterprises/<str:credit_code>/", views.enterprise, name="enterprise"),
    path("", include(urls_lifecycle)),
    path("", include(urls_cases)),
    path("", include(urls_inspections)),
    path("", include(urls_codes)),
    path("", include(urls_trace)),
    path("", include(urls_ip)),
]
