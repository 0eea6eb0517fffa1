from django.urls import path

from . import views

app_name = "opendata"

urlpatterns = [
    path("", views.index, name="index"),
    path("catalog.ttl", views.catalog_turtle, name="catalog-ttl"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog-jsonld"),
    path("departments/", views.department_list, name="departments"),
    path("departments/<str:code>/", views.department_detail, name="department"),
    path("themes/", views.theme_list, name="themes"),
    path("themes/<str:code>/", views.theme_detail, name="theme"),
    path("datasets/<slug:code>/", views.dataset_detail, name="detail"),
    path("datasets/<slug:code>/download.<str:fmt>", views.download, name="download"),
    path("datasets/<slug:code>/apply", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("applications/<int:pk>/decide", views.decide, name="decide"),
    path("applications/<int:pk>/delivery.<str:fmt>", views.delivery, name="delivery"),
]
