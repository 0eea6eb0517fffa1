from django.urls import path

from . import cockpit, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<slug:slug>/", views.module_page, name="module"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<str:prefix>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
    path("health/", views.health, name="health"),
    path("cockpit/", cockpit.cockpit, name="cockpit"),
    path("cockpit/panel/", cockpit.cockpit_panel, name="cockpit_panel"),
]
