"""Electronic licence pages (电子证照), under the "services" namespace."""

from django.urls import URLPattern, path

from . import views_licences

urlpatterns: list[URLPattern] = [
    path("licences/<str:number>/", views_licences.licence, name="licence"),
    path("licences/<str:number>/pdf/", views_licences.licence_pdf, name="licence_pdf"),
    path("licences/<str:number>/data/", views_licences.licence_data, name="licence_data"),
    path(
        "licences/<str:number>/revoke/",
        views_licences.licence_revoke_view,
        name="licence_revoke",
    ),
    path("verify/", views_licences.verify, name="verify"),
    path("seals/", views_licences.seals, name="seals"),
    path("seals/rotate/", views_licences.seal_rotate_view, name="seal_rotate"),
]
