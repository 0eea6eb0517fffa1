from __future__ import annotations

import pytest
from django.test import Client

from shuzhi.web.navigation import NAVIGATION
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_home_goes_to_sign_in(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_home_shows_key_figures_and_chart_data(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    body = client.get("/").content.decode()
    assert 'id="chart-counties"' in body
    assert 'id="home-chart-data"' in body
    assert "echarts.min.js" in body
    assert "htmx" in body


def test_home_county_filter_returns_the_figures_fragment_to_htmx(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    response = client.get("/", {"county": "330802"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="figures">')
    assert "<html" not in body


def test_unknown_county_falls_back_to_the_whole_city(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    assert client.get("/", {"county": "999999"}).status_code == 200


def test_every_navigation_link_answers(client: Client) -> None:
    """No broken links: every module either has pages or says what it will do."""
    # roles between them holding every module's permission
    admin_like = UserFactory(username="aud", roles=["auditor", "clerk", "enterprise", "leader"])
    client.force_login(admin_like)
    modules = [m for g in NAVIGATION for m in g.modules if m.slug != "admin"]
    assert len(modules) >= 20
    for module in modules:
        response = client.get(module.url)
        assert response.status_code == 200, module.slug
        if not module.built:
            assert module.tasks in response.content.decode(), module.slug


def test_planned_module_page_says_what_it_will_do(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    body = client.get("/m/carbon/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Emission accounting" in body
    assert "19" in body


def test_navigation_hides_modules_the_role_cannot_use(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    body = client.get("/").content.decode()
    assert 'href="/audit/"' not in body
    client.force_login(UserFactory(username="aud", roles=["auditor"]))
    assert 'href="/audit/"' in client.get("/").content.decode()


def test_unknown_module_and_page_get_a_404_page(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    assert client.get("/m/nothing/").status_code == 404
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "not_found" in response.content.decode()


def test_language_switch_to_english_and_back(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    assert "数字政府" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Digital Government" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "数字政府" in client.get("/").content.decode()


def test_large_text_cookie_enlarges_the_page(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    client.cookies["large_text"] = "1"
    assert 'class="large-text"' in client.get("/").content.decode()


def test_static_assets_come_from_npm_packages_not_a_cdn(client: Client) -> None:
    client.force_login(UserFactory(username="li", roles=["clerk"]))
    body = client.get("/").content.decode()
    assert "http://" not in body.replace("http://www.w3.org", "")
    assert "https://" not in body
    for path in [
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/django_htmx/htmx-2.min.js",
        "/static/web/app.js",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path


def test_health_answers_without_login(client: Client) -> None:
    assert client.get("/health/").json() == {"status": "ok"}
