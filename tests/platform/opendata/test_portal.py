"""The public portal: browse, search, facets, preview, downloads, counts, rate limit, DCAT."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import rdflib
from django.test import Client
from openpyxl import load_workbook
from rdflib.namespace import SH

from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.opendata.models import DatasetUsage
from shuzhi.platform.opendata.selectors import iter_pages

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).parent / "data" / "dcat-ap"


def test_anonymous_visitors_see_open_and_restricted_datasets_but_never_closed(
    client: Client, city: dict[str, Dataset]
) -> None:
    page = client.get("/open/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "企业月度用电（开放）" in text
    assert "企业用电明细（受限）" in text
    assert "企业用电内部（禁止）" not in text
    assert client.get("/open/datasets/closed_power/").status_code == 404
    assert client.get("/open/datasets/closed_power/download.csv").status_code == 404


def test_search_and_facets(client: Client, city: dict[str, Dataset]) -> None:
    found = client.get("/open/", {"q": "开放"}).content.decode()
    assert "企业月度用电（开放）" in found
    assert "企业用电明细（受限）" not in found
    by_tag = client.get("/open/", {"q": "用电"}).content.decode()
    assert "企业月度用电（开放）" in by_tag
    facet = client.get("/open/", {"department": "330800-EIB"}).content.decode()
    assert "企业用电明细（受限）" in facet
    none = client.get("/open/", {"department": "330800-XXX"}).content.decode()
    assert "企业月度用电（开放）" not in none
    assert "市经信局" in client.get("/open/departments/").content.decode()
    assert client.get("/open/departments/330800-EIB/").status_code == 200
    assert client.get("/open/themes/energy/").status_code == 200
    assert "能源" in client.get("/open/themes/").content.decode()


def test_detail_previews_masked_rows_and_counts_views(
    client: Client, city: dict[str, Dataset]
) -> None:
    page = client.get("/open/datasets/open_power/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="preview"' in text
    assert "张三1" not in text
    assert "张*" in text
    client.get("/open/datasets/open_power/")
    assert DatasetUsage.objects.get(dataset=city["open"]).views == 2


def test_restricted_dataset_shows_metadata_only(client: Client, city: dict[str, Dataset]) -> None:
    text = client.get("/open/datasets/restricted_power/").content.decode()
    assert 'id="apply"' in text
    assert 'id="preview"' not in text
    assert "张" not in text
    for fmt in ("csv", "json", "xlsx"):
        assert client.get(f"/open/datasets/restricted_power/download.{fmt}").status_code == 404


def test_downloads_in_three_formats_masked_and_counted(
    client: Client, city: dict[str, Dataset]
) -> None:
    response = client.get("/open/datasets/open_power/download.csv")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 5
    assert rows[0]["contact"].startswith("张")
    assert "张三1" not in body
    data = json.loads(
        b"".join(client.get("/open/datasets/open_power/download.json").streaming_content)
    )  # type: ignore[attr-defined]
    assert len(data) == 5
    assert data[0]["county"] == "330802"
    xlsx = client.get("/open/datasets/open_power/download.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    assert [c.value for c in next(sheet.iter_rows())][:2] == ["credit_code", "month"]
    assert sheet.max_row == 6
    assert DatasetUsage.objects.get(dataset=city["open"]).downloads == 3
    assert client.get("/open/datasets/open_power/download.exe").status_code == 404


def test_rows_are_read_page_by_page(city: dict[str, Dataset]) -> None:
    pages = list(iter_pages(city["open"], page_size=2))
    assert [len(p) for p in pages] == [2, 2, 1]


def test_anonymous_visitors_are_rate_limited(
    client: Client, settings: Any, city: dict[str, Dataset], citizen: Any
) -> None:
    settings.OPENDATA_ANONYMOUS_RATE = 3
    for _ in range(3):
        assert client.get("/open/").status_code == 200
    refused = client.get("/open/datasets/open_power/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many requests" in refused.content.decode() or "请求" in refused.content.decode()
    api = client.get("/api/3/action/package_list")
    assert api.status_code == 429
    assert api["Retry-After"] == "60"
    assert api.json()["success"] is False
    client.force_login(citizen)
    assert client.get("/open/").status_code == 200  # signed-in users are not limited


def _shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    shapes.parse(SHAPES / "dcat-ap-3.0.1-SHACL.ttl")
    shapes.parse(SHAPES / "dcat-ap-3.0.1-ranges.ttl")
    # The 3.0.1 release lists five property shapes (e.g. DatasetShape/4918ff7a…) that neither
    # file defines; pySHACL refuses such dangling references, so they are dropped here.
    dangling = [
        (node, shape)
        for node, shape in shapes.subject_objects(SH.property)
        if (shape, SH.path, None) not in shapes
    ]
    assert len(dangling) <= 5
    for node, shape in dangling:
        shapes.remove((node, SH.property, shape))
    return shapes


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(
    ("url", "fmt"), [("/open/catalog.ttl", "turtle"), ("/open/catalog.jsonld", "json-ld")]
)
def test_dcat_export_validates_against_dcat_ap_3(
    client: Client, city: dict[str, Dataset], url: str, fmt: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.content.decode(), format=fmt)
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none")
    assert conforms, text
    datasets = {
        str(o) for o in graph.objects(None, rdflib.URIRef("http://purl.org/dc/terms/identifier"))
    }
    assert datasets == {"open_power", "restricted_power"}
