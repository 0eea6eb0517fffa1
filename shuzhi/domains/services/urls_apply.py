"""Online application and handling pages (网上申办 · 办理), under the "services" namespace."""

from django.urls import URLPattern, path

from . import views_apply

urlpatterns: list[URLPattern] = [
    path("items/<str:code>/apply/", views_apply.apply_item, name="apply_item"),
    path("bundles/<str:code>/apply/", views_apply.apply_bundle, name="apply_bundle"),
    path("applications/<str:number>/", views_apply.application, name="application"),
    path(
        "applications/<str:number>/withdraw/",
        views_apply.withdraw,
        name="application_withdraw",
    ),
    path("materials/<int:pk>/", views_apply.material, name="material"),
    path("handling/", views_apply.handling, name="handling"),
    path("parts/<int:pk>/decide/", views_apply.part_decide, name="part_decide"),
]
