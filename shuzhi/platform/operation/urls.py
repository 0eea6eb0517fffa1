from django.urls import path

from . import views

app_name = "operation"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("analyses/<int:pk>/", views.analysis, name="analysis"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("operators/", views.operators, name="operators"),
]
