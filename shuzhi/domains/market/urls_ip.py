"""Intellectual property and quality pages (知识产权 · 质量), under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_ip

urlpatterns: list[URLPattern] = [
    path("ip/enterprises/<str:credit_code>/", views_ip.ip_enterprise, name="ip_enterprise"),
    path("ip/quality/", views_ip.quality, name="quality"),
    path("ip/complaints/", views_ip.complaints, name="complaints"),
    path("ip/complaints/new/", views_ip.complaint_new, name="complaint_new"),
    path("ip/complaints/<int:pk>/", views_ip.complaint, name="complaint"),
]
