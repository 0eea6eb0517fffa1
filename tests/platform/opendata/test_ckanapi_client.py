"""The real ckanapi client, as a library and as a command line, against a live server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import ckanapi
import pytest

from shuzhi.platform.catalog.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)
CKANAPI = Path(sys.executable).parent / "ckanapi"


def test_ckanapi_library(live_server: Any, city: dict[str, Dataset]) -> None:
    with ckanapi.RemoteCKAN(live_server.url, user_agent="shuzhi-tests") as ckan:
        assert ckan.action.package_list() == ["open_power"]
        package = ckan.action.package_show(id="open_power")
        assert package["title"] == "企业月度用电（开放）"
        search = ckan.action.package_search(q="用电", facet_field=None, rows=10)
        assert search["count"] == 1
        faceted = ckan.call_action(
            "package_search", {"fq": "groups:energy", "facet.field": '["organization"]'}
        )
        assert faceted["search_facets"]["organization"]["items"][0]["name"] == "330800-eib"
        assert ckan.action.organization_list() == ["330800-eib"]
        assert ckan.action.group_list(all_fields=True)[0]["package_count"] == 1
        resource = ckan.action.resource_show(id=package["resources"][0]["id"])
        records = ckan.action.datastore_search(
            resource_id=resource["id"], filters={"county": "330802"}, limit=3
        )
        assert records["total"] == 5
        assert len(records["records"]) == 3
        assert ckan.action.status_show()["ckan_version"]
        for code in ("restricted_power", "closed_power"):
            with pytest.raises(ckanapi.NotFound):
                ckan.action.package_show(id=code)
        with pytest.raises(ckanapi.ValidationError):
            ckan.action.datastore_search(resource_id="open_power", sort="kwh; DROP TABLE x")
    with ckanapi.RemoteCKAN(live_server.url, get_only=True) as reader:
        assert reader.action.package_show(id="open_power")["name"] == "open_power"


def test_ckanapi_command_line(live_server: Any, city: dict[str, Dataset]) -> None:
    listed = subprocess.run(
        [str(CKANAPI), "action", "package_list", "-r", live_server.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == ["open_power"]
    shown = subprocess.run(
        [
            str(CKANAPI),
            "action",
            "datastore_search",
            "resource_id=open_power",
            "limit:2",
            "-r",
            live_server.url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    assert len(json.loads(shown.stdout)["records"]) == 2
    hidden = subprocess.run(
        [str(CKANAPI), "action", "package_show", "id=closed_power", "-r", live_server.url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert hidden.returncode != 0
    assert "open_power" not in hidden.stdout
