"""Life-cycle URLs (市场主体全生命周期, 一企一档), included by urls.py under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_lifecycle as views

urlpatterns: list[URLPattern] = [
    path("registry/", views.registry, name="registry"),
    path("registry/new/", views.register, name="enterprise_register"),
    path("registry/<str:credit_code>/", views.lifecycle, name="lifecycle"),
    path("registry/<str:credit_code>/change/", views.change, name="lifecycle_change"),
    path(
        "registry/<str:credit_code>/annual-report/",
        views.annual_report,
        name="lifecycle_annual_report",
    ),
    path(
        "registry/<str:credit_code>/status/<slug:what>/",
        views.status_action,
        name="lifecycle_status",
    ),
    path(
        "registry/<str:credit_code>/deregister/",
        views.apply_for,
        name="deregistration_apply_for",
    ),
    path("deregistrations/<int:pk>/decide/", views.decide, name="deregistration_decide"),
    path("deregistrations/<int:pk>/withdraw/", views.withdraw, name="deregistration_withdraw"),
    path("deregistration/", views.apply_own, name="deregistration_apply"),
    path("deregistration-notices/", views.notices, name="deregistration_notices"),
    path("deregistration-notices/<int:pk>/object/", views.object_to, name="objection"),
    path("profile/<str:credit_code>/", views.profile, name="profile"),
]
