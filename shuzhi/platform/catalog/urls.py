from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_list, name="list"),
    path("<slug:code>/", views.dataset_detail, name="detail"),
    path("<slug:code>/edit/", views.dataset_edit, name="edit"),
    path("<slug:code>/publish/", views.dataset_publish_view, name="publish"),
]
