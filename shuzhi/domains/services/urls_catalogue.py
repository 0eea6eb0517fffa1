"""Service catalogue pages (政务服务事项目录), public, under the "services" namespace."""

from django.urls import URLPattern, path

from . import views_catalogue

urlpatterns: list[URLPattern] = [
    path("", views_catalogue.index, name="index"),
    path("items/<str:code>/", views_catalogue.item, name="item"),
    path("bundles/<str:code>/", views_catalogue.bundle, name="bundle"),
]
