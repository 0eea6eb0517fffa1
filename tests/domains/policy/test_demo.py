"""The demo's policy library (shuzhi.demo.policy) on a small scale: publishers, the seed
document, generated documents through the services with their links, the index, a re-run."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.demo import people
from shuzhi.demo.policy import load_policy
from shuzhi.demo.policy_corpus import PUBLISHERS, generate
from shuzhi.domains.policy.models import Disclosure, PolicyDocument, Publisher, Validity
from shuzhi.domains.policy.refusals import PolicyRefused
from shuzhi.domains.policy.services.indexing import index_differences
from shuzhi.platform.accounts.models import User
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# a seed in the format of ../shared/seed/000_9d32cc7170deaf74.txt (the real file is not needed)
SEED = """索引号: 11330800002618015K/2022-134810 成文日期: 2022-09-28
发布机构: 市人民政府 公开方式: 主动公开
有效性: 有效 组配分类: 市政府文件
文件编号: 衢政发〔2022〕16号 统一编号:

衢州市人民政府关于深化数字政府建设的实施意见

发布日期:2022-09-29 16:02 浏览次数: 信息来源:市政府办公室 字体:[ ]
分享:

各县(市、区)人民政府,市政府各部门、直属各单位:

为加快推进我市数字政府建设,结合我市实际,制定本实施意见。

一、总体要求

(一)指导思想。全力打造数字变革桥头堡,深化一网通办和掌上办事。

二、保障措施

(一)加强组织领导。建立比晾晒工作机制。
"""
SEED_INDEX_NUMBER = "11330800002618015K/2022-134810"
# a seed of the generator whose first 30 documents hold every kind of link and non-public ones
SEED_WITH_LINKS, COUNT = 33, 30


@pytest.fixture(autouse=True)
def _cheap_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "000_seed.txt"
    path.write_text(SEED, encoding="utf-8")
    settings.POLICY_SEED_FILE = path
    return path


@pytest.fixture
def stewards() -> dict[str, User]:
    """A data steward (policy.publish) in each publisher's department, as the demo has."""
    found = {}
    for spec in PUBLISHERS:
        if spec.department not in found:
            department = DepartmentFactory(code=spec.department, name=f"{spec.name}（部门）")
            found[spec.department] = cast(
                User,
                UserFactory(
                    username=f"steward-{spec.department}",
                    department=department,
                    roles=["data_steward"],
                ),
            )
    return found


def _load(stewards: dict[str, User], **kwargs: Any) -> tuple[dict[str, int], str]:
    out = io.StringIO()
    counts = load_policy(users=stewards, count=COUNT, seed=SEED_WITH_LINKS, stdout=out, **kwargs)
    return counts, out.getvalue()


@pytest.mark.slow
def test_demo_loads_publishers_seed_and_linked_documents_and_a_rerun_adds_nothing(
    seed_file: Path, stewards: dict[str, User]
) -> None:
    from shuzhi.domains.policy.search import get_engine
    from shuzhi.domains.policy.search.base import SearchQuery

    counts, out = _load(stewards)
    corpus = list(generate(COUNT, SEED_WITH_LINKS))
    assert counts["created"] == COUNT
    assert any(g.amends is not None for g in corpus)
    assert any(g.repeals is not None for g in corpus)
    assert counts["linked"] == sum(g.amends is not None or g.repeals is not None for g in corpus)
    assert Publisher.objects.count() == len(PUBLISHERS)
    assert PolicyDocument.objects.count() == COUNT + 1

    seed = PolicyDocument.objects.get(index_number=SEED_INDEX_NUMBER)
    assert seed.publisher.name == "市人民政府"
    assert seed.doc_number == "衢政发〔2022〕16号"
    assert seed.topic.code == "0102"
    assert "seed document" in out

    by_number = {d.index_number: d for d in PolicyDocument.objects.select_related("publisher")}
    for g in corpus:  # the generator's 索引号 kept; published by the department's steward
        document = by_number[g.index_number]
        assert document.created_by == stewards[document.publisher.department.code]
        assert document.title == g.title
        assert document.outline  # computed by the service from the 一、/（一）/1. headings
        if g.interprets is not None:
            assert document.interprets == by_number[corpus[g.interprets].index_number]
        if g.amends is not None:
            older = by_number[corpus[g.amends].index_number]
            assert older.validity == Validity.AMENDED
            assert document.amends.filter(pk=older.pk).exists()
        if g.repeals is not None:
            older = by_number[corpus[g.repeals].index_number]
            assert older.validity == Validity.REPEALED
            assert document.repeals.filter(pk=older.pk).exists()
        assert document.service_codes == list(g.service_codes)

    public = PolicyDocument.objects.filter(disclosure=Disclosure.PROACTIVE).count()
    assert public < COUNT + 1  # the generator's non-public documents are not indexed
    assert counts["indexed"] == public
    assert index_differences() == (set(), set())
    found = get_engine().search(SearchQuery(text="数字政府"))
    assert found.total >= 1
    assert seed.pk in {hit.id for hit in found.hits}

    again, _ = _load(stewards)
    assert again["created"] == again["linked"] == 0
    assert PolicyDocument.objects.count() == COUNT + 1
    assert index_differences() == (set(), set())


def test_a_missing_seed_file_is_skipped_with_a_message(
    settings: Any, tmp_path: Path, stewards: dict[str, User]
) -> None:
    settings.POLICY_SEED_FILE = tmp_path / "absent.txt"
    out = io.StringIO()
    counts = load_policy(users=stewards, count=3, stdout=out)
    assert "absent.txt not found: skipped" in out.getvalue()
    assert counts["created"] == 3
    assert not PolicyDocument.objects.filter(index_number=SEED_INDEX_NUMBER).exists()


def test_a_publisher_without_the_permission_loads_nothing(
    settings: Any, tmp_path: Path, stewards: dict[str, User]
) -> None:
    settings.POLICY_SEED_FILE = tmp_path / "absent.txt"
    gov = stewards["330800-GOV"]
    clerk = cast(
        User, UserFactory(username="gov-clerk", department=gov.department, roles=["clerk"])
    )
    with pytest.raises((PermissionDenied, PolicyRefused)):
        load_policy(users={**stewards, "330800-GOV": clerk}, count=COUNT, stdout=io.StringIO())
    assert not PolicyDocument.objects.exists()  # one transaction: nothing half-loaded
    assert index_differences() == (set(), set())  # and nothing reached the index


def test_a_steward_of_another_department_loads_nothing(
    settings: Any, tmp_path: Path, stewards: dict[str, User]
) -> None:
    settings.POLICY_SEED_FILE = tmp_path / "absent.txt"
    wrong = dict.fromkeys(stewards, stewards["330800-AMR"])  # publishes for everyone
    with pytest.raises((PermissionDenied, PolicyRefused)):
        load_policy(users=wrong, count=COUNT, stdout=io.StringIO())
    assert not PolicyDocument.objects.exists()


def test_every_publisher_has_a_demo_department_and_steward() -> None:
    suffixes = {suffix for suffix, *_ in people.DEPARTMENTS}
    stewards = {a.department_code for a in people.DEMO_ACCOUNTS if a.role == "data_steward"}
    for spec in PUBLISHERS:
        division, _, suffix = spec.department.partition("-")
        assert suffix in suffixes
        assert division in {"330800", "330802", "330881"}
        assert spec.department in stewards, spec.name
