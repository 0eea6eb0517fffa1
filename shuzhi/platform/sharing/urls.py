from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/", views.datasets, name="datasets"),
    path("datasets/<slug:code>/request/", views.request_new, name="request_new"),
    path("inbox/", views.inbox, name="inbox"),
    path("consumers/", views.consumers_view, name="consumers"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/approve/", views.request_approve, name="approve"),
    path("requests/<int:pk>/reject/", views.request_reject, name="reject"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants/<int:pk>/revoke/", views.grant_revoke_view, name="revoke"),
    path("grants/<int:pk>/key/", views.grant_key, name="key"),
    path("grants/<int:pk>/rows/", views.grant_rows, name="rows"),
]
