"""Review fixes of the environment pages: a year of non-ASCII or very many digits is a 400, not
a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .results_helpers import counties, staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", ["²", "２０２６", "9" * 5000, "abc", "-1", "../"])
def test_a_year_that_is_no_year_is_a_400(client: Client, year: str) -> None:
    counties()
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    response = client.get(reverse("environment:index"), {"year": year})
    assert response.status_code == 400
