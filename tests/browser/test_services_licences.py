"""The printable e-licence and the public verification page on a phone: the page fits 360px
(also in large-text mode), the QR code and seal show, and axe-core finds no serious or critical
violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.browser.test_services_portal import _axe, _fits, _large_text, _sign_in
from tests.domains.services.test_licences import issue_food, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_licence_and_verification_on_a_phone(phone: Page, live_server: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    world = make_world()
    licence = issue_food(world)
    _sign_in(phone, live_server.url, world.enterprise.username)
    phone.goto(f"{live_server.url}/services/licences/{licence.number}/")
    expect(phone.locator("#licence-number")).to_have_text(licence.number)
    expect(phone.locator("#seal")).to_contain_text("电子印章")
    expect(phone.locator(".licence-qr svg")).to_be_visible()
    _fits(phone)
    _axe(phone, "licence page")
    _large_text(phone)
    _fits(phone)
    _axe(phone, "licence page (large text)")
    phone.click("#verify-link")
    expect(phone.locator("#authentic")).to_be_visible()
    _fits(phone)
    _axe(phone, "verification page")
