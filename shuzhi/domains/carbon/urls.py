"""Carbon account pages (碳账户) under /carbon/."""

from django.urls import path

from . import views

app_name = "carbon"

urlpatterns = [
    path("", views.index, name="index"),
    path("enterprises/", views.enterprises, name="enterprises"),
    path("enterprises/<str:credit_code>/", views.enterprise, name="enterprise"),
    path("mine/", views.mine, name="mine"),
    path("mine/authorise/", views.authorise, name="authorise"),
    path(
        "mine/authorisations/<int:pk>/revoke/",
        views.authorisation_revoke,
        name="authorisation_revoke",
    ),
    path("factors/", views.factors, name="factors"),
    path("factors/new/", views.factor_new, name="factor_new"),
    path("factors/<int:pk>/", views.factor_detail, name="factor"),
    path("factors/<int:pk>/activate/", views.factor_activate, name="factor_activate"),
    path("bank/", views.bank, name="bank"),
    path("bank/products/", views.bank_products, name="products"),
    path("bank/products/<int:pk>/", views.bank_products, name="product"),
    path("bank/products/<int:pk>/delete/", views.bank_product_delete, name="product_delete"),
    path("bank/reports/<str:credit_code>/", views.bank_report, name="report"),
    path("bank/reports/<str:credit_code>/pdf/", views.bank_report_pdf, name="report_pdf"),
]
