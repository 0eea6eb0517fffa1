from django.urls import path

from . import views

app_name = "loop"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("dispatch/", views.dispatch, name="dispatch"),
    path("rules/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/remove/", views.rule_remove, name="rule_remove"),
    path("rankings/", views.rankings, name="rankings"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/<slug:action>/", views.task_action, name="act"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
]
