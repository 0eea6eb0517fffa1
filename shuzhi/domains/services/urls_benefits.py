"""Pages of 免申即享 (mounted in ``urls.py`` under the ``services`` namespace)."""

from django.urls import path

from . import views_benefits as views

urlpatterns = [
    path("benefits/", views.benefits, name="benefits"),
    path("benefits/runs/", views.benefit_runs, name="benefit_runs"),
    path("benefits/grants/<int:pk>/", views.benefit_grant, name="benefit_grant"),
    path("benefits/<slug:code>/", views.benefit_policy, name="benefit_policy"),
    path("benefits/<slug:code>/v<int:number>/", views.benefit_rule, name="benefit_rule"),
]
