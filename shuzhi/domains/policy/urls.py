"""Policy-library pages under /policy/: public search and reading, feeds, the publishers' desk."""

from django.urls import path

from . import views

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
]
