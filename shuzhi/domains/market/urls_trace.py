"""Traceability (追溯) and recalls, under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_trace

urlpatterns: list[URLPattern] = [
    path("trace/", views_trace.trace, name="trace"),
    path("trace/new/", views_trace.batch_new, name="batch_new"),
    path("trace/batches/<str:code>/", views_trace.batch, name="batch"),
    path("trace/batches/<str:code>/move/", views_trace.batch_move, name="batch_move"),
    path("trace/batches/<str:code>/recall/", views_trace.batch_recall_view, name="batch_recall"),
]
