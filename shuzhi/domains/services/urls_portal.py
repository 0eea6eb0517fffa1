"""The citizen portal and 政企通 under /services/."""

from django.urls import path

from . import views_portal

urlpatterns = [
    path("me/", views_portal.me, name="me"),
    path("enterprise/", views_portal.enterprise_portal, name="enterprise_portal"),
]
