"""Random-inspection pages (双随机一公开), included by urls.py under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_inspections as views

urlpatterns: list[URLPattern] = [
    path("inspections/", views.overview, name="inspections"),
    path("inspections/new/", views.plan_new, name="inspection_plan_new"),
    path("inspections/plans/<int:pk>/", views.plan_detail, name="inspection_plan"),
    path("inspections/plans/<int:pk>/draw/", views.plan_draw_view, name="inspection_plan_draw"),
    path(
        "inspections/plans/<int:pk>/publish/",
        views.plan_publish_view,
        name="inspection_plan_publish",
    ),
    path(
        "inspections/plans/<int:pk>/verify/", views.plan_verify_view, name="inspection_plan_verify"
    ),
    path("inspections/mine/", views.mine, name="inspections_mine"),
    path("inspections/<int:pk>/result/", views.result, name="inspection_result"),
    path("inspections/pool/", views.pool, name="inspection_pool"),
    path("inspections/pool/<int:pk>/remove/", views.pool_remove, name="inspection_pool_remove"),
    path("inspections/pool/<int:pk>/link/", views.pool_link, name="inspection_pool_link"),
    path("inspections/public/", views.public, name="inspections_public"),
]
