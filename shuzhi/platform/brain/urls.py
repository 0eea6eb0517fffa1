from django.urls import path

from . import views

app_name = "brain"

urlpatterns = [
    path("", views.index, name="index"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/compute/", views.indicator_compute_now, name="compute"),
    path("indicators/<int:pk>/rules/new/", views.rule_edit, name="rule_new"),
    path("rules/", views.rules, name="rules"),
    path("rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_pk>/delete/", views.rule_remove, name="rule_delete"),
    path("warnings/", views.warnings, name="warnings"),
    path("graph/", views.graph, name="graph"),
]
