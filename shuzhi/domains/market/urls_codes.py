"""One code, four colours (一码四色) and the five-self checks (五自), under the "market" namespace."""

from django.urls import URLPattern, path

from . import views_codes

urlpatterns: list[URLPattern] = [
    path("code/<str:token>/", views_codes.public, name="code_public"),
    path("mine/", views_codes.mine, name="mine"),
    path("mine/self-check/", views_codes.self_check, name="self_check"),
    path("enterprises/<str:credit_code>/code/", views_codes.code, name="code"),
    path(
        "enterprises/<str:credit_code>/code.png",
        views_codes.image,
        {"kind": "png"},
        name="code_png",
    ),
    path(
        "enterprises/<str:credit_code>/code.svg",
        views_codes.image,
        {"kind": "svg"},
        name="code_svg",
    ),
]
