"""Pages of the shell: home with key figures, module pages, API keys, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzhi.domains.market.selectors import enterprise_count_by_county, enterprise_count_by_section
from shuzhi.domains.services.selectors import resident_age_bands, resident_count_by_county
from shuzhi.platform.accounts.models import ApiKey, Division
from shuzhi.platform.accounts.selectors import api_key_list, department_list, division_list
from shuzhi.platform.accounts.services import api_key_issue, api_key_revoke

from .navigation import module_by_slug


def _figures(county_code: str | None) -> dict[str, object]:
    counties = list(division_list(level=Division.Level.COUNTY))
    enterprises = enterprise_count_by_county()
    residents = resident_count_by_county()
    counties_shown = [c for c in counties if c.code == county_code] if county_code else counties
    sections = enterprise_count_by_section(county_code=county_code)
    return {
        "county_code": county_code or "",
        "counties": counties,
        "cards": [
            {
                "label": _("Enterprises"),
                "value": sum(enterprises.get(c.code, 0) for c in counties_shown),
                "unit": _("entities"),
            },
            {
                "label": _("Residents"),
                "value": sum(residents.get(c.code, 0) for c in counties_shown),
                "unit": _("people"),
            },
            {
                "label": _("Departments"),
                "value": department_list()
                .filter(division__code__startswith=county_code or "")
                .count(),
                "unit": _("bodies"),
            },
            {
                "label": _("Towns"),
                "value": division_list(level=Division.Level.TOWN)
                .filter(code__startswith=county_code or "")
                .count(),
                "unit": _("towns and subdistricts"),
            },
        ],
        "chart": {
            "counties": [c.name if _is_zh() else (c.name_en or c.name) for c in counties_shown],
            "enterprises": [enterprises.get(c.code, 0) for c in counties_shown],
            "residents": [residents.get(c.code, 0) for c in counties_shown],
            "sections": [
                {"name": f"{letter} {name}", "value": n} for letter, name, n in sections[:8]
            ],
            "ages": [
                {"band": band, "n": n}
                for band, n in resident_age_bands(
                    today=timezone.localdate(), county_code=county_code
                )
            ],
            "labels": {
                "enterprises": _("Enterprises"),
                "residents": _("Residents"),
                "ages": _("Residents by age"),
            },
        },
    }


def _is_zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    county = request.GET.get("county") or None
    if county and not division_list(level=Division.Level.COUNTY).filter(code=county).exists():
        county = None
    context = _figures(county)
    template = "web/_figures.html" if getattr(request, "htmx", False) else "web/home.html"
    return render(request, template, context)


@login_required
@require_GET
def module_page(request: HttpRequest, slug: str) -> HttpResponse:
    module = module_by_slug(slug)
    if module is None:
        raise Http404(slug)
    return render(request, "web/module.html", {"module": module})


@login_required
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The person's own API keys; a new key's secret is shown on this response only."""
    new_secret = ""
    error = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            error = _("Give the key a name, e.g. the system that will use it.")
        else:
            try:
                _key, new_secret = api_key_issue(by=request.user, name=name, request=request)  # type: ignore[arg-type]
            except PermissionDenied:
                error = _("Your role may not hold API keys.")
    keys = api_key_list(owner=request.user)  # type: ignore[arg-type]
    return render(
        request,
        "web/api_keys.html",
        {"keys": keys, "new_secret": new_secret, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def api_key_revoke_view(request: HttpRequest, prefix: str) -> HttpResponse:
    key = get_object_or_404(ApiKey, prefix=prefix, owner=request.user)
    api_key_revoke(key=key, by=request.user, request=request)  # type: ignore[arg-type]
    return redirect("web:api_keys")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
