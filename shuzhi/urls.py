"""URL map: pages, the API, the back office and the language switch."""

from django.contrib import admin
from django.urls import include, path

from shuzhi.api import api

urlpatterns = [
    path("", include("shuzhi.web.urls")),
    path("accounts/", include("shuzhi.platform.accounts.urls")),
    path("audit/", include("shuzhi.platform.audit.urls")),
    path("catalog/", include("shuzhi.platform.catalog.urls")),
    path("warehouse/", include("shuzhi.platform.warehouse.urls")),
    path("sharing/", include("shuzhi.platform.sharing.urls")),
    path("open/", include("shuzhi.platform.opendata.urls")),
    path("operation/", include("shuzhi.platform.operation.urls")),
    path("loop/", include("shuzhi.platform.loop.urls")),
    path("notify/", include("shuzhi.platform.notify.urls")),
    path("brain/", include("shuzhi.platform.brain.urls")),
    path("carbon/", include("shuzhi.domains.carbon.urls")),
    path("environment/", include("shuzhi.domains.environment.urls")),
    path("market/", include("shuzhi.domains.market.urls")),
    path("services/", include("shuzhi.domains.services.urls")),
    path("policy/", include("shuzhi.domains.policy.urls")),
    # CKAN's Action API, at both of the paths CKAN clients use
    path("api/3/action/", include("shuzhi.platform.opendata.ckan_urls")),
    path("api/action/", include("shuzhi.platform.opendata.ckan_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler400 = "shuzhi.web.errors.bad_request"
handler403 = "shuzhi.web.errors.permission_denied"
handler404 = "shuzhi.web.errors.page_not_found"
handler500 = "shuzhi.web.errors.server_error"
