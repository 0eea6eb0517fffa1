"""Public-services pages under /services/ (one urls_<capability>.py module per capability)."""

from django.urls import include, path

from . import urls_apply, urls_benefits, urls_catalogue, urls_licences, urls_portal

app_name = "services"

urlpatterns = [
    path("", include(urls_catalogue)),
    path("", include(urls_apply)),
    path("", include(urls_licences)),
    path("", include(urls_benefits)),
    path("", include(urls_portal)),
]
