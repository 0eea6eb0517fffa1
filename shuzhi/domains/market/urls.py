"""Market supervision pages under /market/."""

from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("", views.index, name="index"),
    path("lookup/", views.lookup, name="lookup"),
    path("run/", views.run, name="run"),
    path("enterprises/<str:credit_code>/", views.enterprise, name="enterprise"),
]
