"""The result pages of the environment domain; included by ``urls.py`` (app ``environment``)."""

from __future__ import annotations

from django.urls import path

from . import views_results

urlpatterns = [
    path("", views_results.index, name="index"),
    path("results/publish/", views_results.publish, name="results_publish"),
]
