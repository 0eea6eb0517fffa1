from django.urls import path

from . import views

app_name = "warehouse"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:code>/upload/", views.upload, name="upload"),
    path("<slug:code>/progress/", views.progress, name="progress"),
    path("<slug:code>/versions/<int:number>/quarantine/", views.quarantine, name="quarantine"),
    path("<slug:code>/versions/<int:number>/restore/", views.restore, name="restore"),
]
