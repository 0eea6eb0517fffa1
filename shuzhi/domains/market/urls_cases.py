"""Lenient-supervision URLs (包容审慎监管: lists, cases, credit repair), included by urls.py
under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_cases as views

urlpatterns: list[URLPattern] = [
    path("lenient/", views.lenient_lists, name="lenient"),
    path("lenient/load/", views.lenient_load, name="lenient_load"),
    path("lenient/<int:pk>/active/", views.lenient_rule_active, name="lenient_rule_active"),
    path("cases/", views.cases, name="cases"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/assess/", views.case_assess_view, name="case_assess"),
    path("cases/<int:pk>/decide/", views.case_decide_view, name="case_decide"),
    path("cases/<int:pk>/paid/", views.case_paid_view, name="case_paid"),
    path("cases/<int:pk>/close/", views.case_close_view, name="case_close"),
    path("repair/", views.repair_apply_view, name="repair_apply"),
    path("repairs/", views.repairs, name="repairs"),
    path("repairs/<int:pk>/decide/", views.repair_decide_view, name="repair_decide"),
]
