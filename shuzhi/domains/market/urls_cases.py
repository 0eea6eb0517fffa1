"""Market URLs of one capability, included by urls.py under the "market" namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
