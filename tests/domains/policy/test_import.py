"""Importing policy documents: the parsers (text, GB18030, HTML, .docx), the import services
(one file, a folder) and the ``shuzhi policy import`` command."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from shuzhi.domains.policy.importing import DocumentFormatError, parse_file, parse_text
from shuzhi.domains.policy.models import Disclosure, Genre, PolicyDocument, Validity
from shuzhi.domains.policy.outline import outline
from shuzhi.domains.policy.refusals import PolicyRefused
from shuzhi.domains.policy.services.importing import (
    ImportDefaults,
    import_document,
    import_folder,
)
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.policy import factories
from tests.factories import UserFactory

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "000_9d32cc7170deaf74.txt"

# the seed's format (ASCII colons and parentheses as on the page), every metadata field given
SYNTHETIC = """索引号: 11330800002618015K/2023-000042 成文日期: 2023-03-01
发布机构: 市人民政府 公开方式: 依申请公开
有效性: 失效 组配分类: 市政府办公室文件
文件编号: 衢政办发〔2023〕5号 统一编号:

衢州市人民政府办公室关于推进免申即享改革的通知

发布日期:2023-03-02 09:30 浏览次数: 信息来源:市政府办公室 字体:[ 大 中 小 ]
分享:

各县(市、区)人民政府,市政府各部门:
一、工作目标
(一)总体要求。推进免申即享、一网通办。
1.梳理事项。全面梳理碳账户等事项。
二、保障措施
衢州市人民政府办公室
2023年3月1日
关于推进免申即享改革的通知.pdf
"""


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are compared with their English msgids (the site's default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    calls: list[list[int]] = []
    from shuzhi.domains.policy.services import indexing

    monkeypatch.setattr(
        indexing, "schedule_index", lambda ids: calls.append(sorted(ids)), raising=False
    )
    return calls


def _docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- parsers (no database) -----------------------------------------------------------------------


def test_the_synthetic_metadata_block_in_every_field() -> None:
    parsed = parse_text(SYNTHETIC, name="notice.txt")
    assert parsed.index_number == "11330800002618015K/2023-000042"
    assert parsed.written_on == date(2023, 3, 1)
    assert parsed.published_on == date(2023, 3, 2)
    assert parsed.publisher == "市人民政府"
    assert parsed.disclosure == Disclosure.ON_REQUEST
    assert parsed.validity == Validity.EXPIRED
    assert parsed.genre == Genre.GOVERNMENT_OFFICE
    assert parsed.doc_number == "衢政办发〔2023〕5号"
    assert parsed.source == "市政府办公室"
    assert parsed.title == "衢州市人民政府办公室关于推进免申即享改革的通知"
    assert parsed.body.startswith("各县(市、区)人民政府")
    assert "浏览次数" not in parsed.body
    assert "分享" not in parsed.body
    assert parsed.attachments == ["关于推进免申即享改革的通知.pdf"]
    assert [e["label"] for e in outline(parsed.body)] == ["一、", "(一)", "1.", "二、"]
    assert parsed.lines["doc_number"] == 4


def test_gb18030_text_equals_utf8_text() -> None:
    utf8 = parse_file("a.txt", SYNTHETIC.encode("utf-8"))
    gb = parse_file("a.txt", SYNTHETIC.encode("gb18030"))
    bom = parse_file("a.txt", b"\xef\xbb\xbf" + SYNTHETIC.encode("utf-8"))
    assert utf8 == gb == bom


def test_plain_text_without_metadata_takes_the_first_line_and_the_closing_date() -> None:
    parsed = parse_file(
        "plain.txt", "关于某事的通知\n\n正文第一段。\n衢州市财政局\n2021年12月5日\n".encode()
    )
    assert parsed.title == "关于某事的通知"
    assert parsed.written_on == date(2021, 12, 5)
    assert parsed.index_number == ""
    assert parsed.published_on is None


@pytest.mark.parametrize(
    ("name", "data", "where"),
    [
        (
            "bad-date.txt",
            SYNTHETIC.replace("2023-03-01", "2023-13-45", 1).encode(),
            "line 1, 成文日期",
        ),
        (
            "bad-genre.txt",
            SYNTHETIC.replace("市政府办公室文件", "秘密文件").encode(),
            "line 3, 组配分类",
        ),
        (
            "bad-valid.txt",
            SYNTHETIC.replace("有效性: 失效", "有效性: 永久").encode(),
            "line 3, 有效性",
        ),
        (
            "twice.txt",
            ("索引号: A1/2023-1\n" + SYNTHETIC).encode(),
            "line 2, 索引号",
        ),
        ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 10, ""),
        ("latin.txt", bytes(range(0x80, 0x100)) * 4, ""),
        ("empty.txt", b"  \n\n", ""),
        ("only-title.txt", "索引号: A1/2023-1\n标题\n".encode(), "body"),
        ("old.doc", b"\xd0\xcf\x11\xe0" + b"0" * 100, ""),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, ""),
    ],
)
def test_bad_files_name_the_file_line_and_field(name: str, data: bytes, where: str) -> None:
    with pytest.raises(DocumentFormatError) as error:
        parse_file(name, data)
    assert str(error.value).startswith(name)
    assert where in str(error.value)


def test_html_page_with_chrome_scripts_and_metadata_table() -> None:
    page = """<!DOCTYPE html><html><head><meta charset="gb18030">
    <meta name="ArticleTitle" content="衢州市人民政府办公室关于推进免申即享改革的通知">
    <title>衢州市人民政府门户网站</title><script>var x = "索引号: 伪造";</script></head>
    <body><nav>首页 | 政务公开</nav><div class="banner">衢州市人民政府门户网站</div>
    <table><tr><td>索引号</td><td>11330800002618015K/2023-000042</td>
      <td>成文日期</td><td>2023-03-01</td></tr>
      <tr><td>发布机构</td><td>市人民政府</td><td>有效性</td><td>有效</td></tr>
      <tr><td>组配分类</td><td>规范性文件</td><td>文件编号</td><td>衢政办发〔2023〕5号</td></tr></table>
    <h1>衢州市人民政府办公室关于推进免申即享改革的通知</h1>
    <div>发布日期：2023-03-02 浏览次数：<span>12</span></div>
    <div class="content"><p>各县（市、区）人民政府：</p><p>一、工作目标</p>
    <p>（一）总体要求。推进免申即享。</p><p>1.梳理事项。<b>碳账户</b>等。</p>
    <p>2023年3月1日</p></div><div>【打印本页】【关闭窗口】</div></body></html>"""
    parsed = parse_file("notice.html", page.encode("gb18030"))
    assert parsed.title == "衢州市人民政府办公室关于推进免申即享改革的通知"
    assert parsed.index_number == "11330800002618015K/2023-000042"
    assert parsed.written_on == date(2023, 3, 1)
    assert parsed.published_on == date(2023, 3, 2)
    assert parsed.genre == Genre.NORMATIVE
    assert parsed.doc_number == "衢政办发〔2023〕5号"
    assert "伪造" not in parsed.body
    assert "打印本页" not in parsed.body
    assert "1.梳理事项。碳账户等。" in parsed.body.split("\n")
    assert [e["level"] for e in outline(parsed.body)] == [1, 2, 3]


def test_docx_with_metadata_table_and_paragraphs() -> None:
    data = _docx(
        [
            "衢州市人民政府关于深化数字政府建设的实施意见",
            "各部门：",
            "一、总体要求",
            "(一)指导思想。正文。",
        ],
        table=[
            ["索引号", "11330800002618015K/2022-134810", "成文日期", "2022-09-28"],
            ["发布机构", "市人民政府", "组配分类", "市政府文件"],
        ],
    )
    parsed = parse_file("意见.docx", data)
    assert parsed.index_number == "11330800002618015K/2022-134810"
    assert parsed.written_on == date(2022, 9, 28)
    assert parsed.genre == Genre.GOVERNMENT
    assert parsed.title == "衢州市人民政府关于深化数字政府建设的实施意见"
    assert [e["title"] for e in outline(parsed.body)] == ["总体要求", "指导思想"]


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a zip archive at all",
        _docx(["标题", "正文"])[:2000],  # truncated
        _zip({"hello.txt": b"a zip, but no Word document"}),
        _zip({"word/document.xml": b"<w:document><broken", "[Content_Types].xml": b"<x/>"}),
    ],
    ids=["not-zip", "truncated", "no-document", "broken-xml"],
)
def test_corrupt_docx_is_a_format_error_naming_the_file(data: bytes) -> None:
    with pytest.raises(DocumentFormatError) as error:
        parse_file("坏文件.docx", data)
    assert str(error.value).startswith("坏文件.docx: ")
    assert ".docx" in error.value.reason or "zip" in error.value.reason


# --- services ------------------------------------------------------------------------------------


def _steward(name: str = "gov_steward", role: str = "data_steward") -> Any:
    return UserFactory(
        password=None, username=name, roles=[role], department=factories.publisher().department
    )


def _check_seed_document(doc: PolicyDocument) -> None:
    assert doc.index_number == "11330800002618015K/2022-134810"
    assert doc.doc_number == "衢政发〔2022〕16号"
    assert doc.written_on == date(2022, 9, 28)
    assert doc.published_on == date(2022, 9, 29)
    assert doc.publisher.name == "市人民政府"
    assert doc.genre == Genre.GOVERNMENT
    assert doc.validity == Validity.VALID
    assert doc.disclosure == Disclosure.PROACTIVE
    assert doc.title == "衢州市人民政府关于深化数字政府建设的实施意见"
    first = [e for e in doc.outline if e["level"] == 1]
    assert [e["label"] for e in first] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、"]
    assert first[-1]["title"] == "保障措施"
    lines = doc.body.split("\n")
    assert all(lines[e["line"]].startswith(e["label"]) for e in doc.outline)


@pytest.mark.django_db
def test_the_seed_document_imports_with_its_metadata(indexed: list) -> None:
    """Always the synthetic seed-format document; the real seed too when the shared file exists."""
    user = _steward()
    topic = factories.topic()
    synthetic = SYNTHETIC.replace("2023-000042", "2022-134810").replace(
        "成文日期: 2023-03-01", "成文日期: 2022-09-28"
    )
    synthetic = synthetic.replace("发布日期:2023-03-02", "发布日期:2022-09-29").replace(
        "依申请公开", "主动公开"
    )
    synthetic = synthetic.replace("有效性: 失效", "有效性: 有效").replace(
        "市政府办公室文件", "市政府文件"
    )
    synthetic = synthetic.replace("衢政办发〔2023〕5号", "衢政发〔2022〕16号")
    synthetic = synthetic.replace(
        "衢州市人民政府办公室关于推进免申即享改革的通知\n",
        "衢州市人民政府关于深化数字政府建设的实施意见\n",
    )
    synthetic = synthetic.replace(
        "二、保障措施\n", "二、二\n三、三\n四、四\n五、五\n六、六\n七、保障措施\n"
    )
    sources = [("synthetic.txt", synthetic.encode("gb18030"))]
    if SEED.is_file():
        sources.append((SEED.name, SEED.read_bytes()))
    for name, data in sources:
        doc = import_document(by=user, name=name, data=data, defaults=ImportDefaults(topic=topic))
        _check_seed_document(doc)
        assert doc.source == name
        assert indexed[-1] == [doc.pk]
        entry = AuditEntry.objects.filter(action="policy.import").latest("seq")
        assert entry.details["file"] == name
        assert entry.details["index_number"] == doc.index_number
        # the same file again is refused (its 索引号 is taken), naming the file and line
        with pytest.raises(PolicyRefused) as refused:
            import_document(by=user, name=name, data=data, defaults=ImportDefaults(topic=topic))
        assert refused.value.code == "duplicate"
        assert name in refused.value.message
        assert "line 1" in refused.value.message
        doc.delete()


@pytest.mark.django_db
def test_import_fills_what_the_file_lacks_from_the_defaults(indexed: list) -> None:
    user = _steward()
    plain = "关于某事的通知\n正文第一段。\n衢州市人民政府\n2021年12月5日\n".encode()
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=user, name="plain.txt", data=plain)
    assert refused.value.field == "publisher"
    defaults = ImportDefaults(publisher=factories.publisher())
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=user, name="plain.txt", data=plain, defaults=defaults)
    assert refused.value.field == "topic"
    assert "主题分类" in refused.value.message
    assert "组配分类" in refused.value.message
    defaults = ImportDefaults(
        publisher=factories.publisher(), topic=factories.topic(), genre="notice"
    )
    doc = import_document(by=user, name="plain.txt", data=plain, defaults=defaults)
    assert doc.index_number == "11330800002618015K/2021-000001"  # generated
    assert doc.written_on == doc.published_on == date(2021, 12, 5)
    assert doc.genre == Genre.NOTICE


@pytest.mark.django_db
def test_unknown_publisher_wrong_role_and_wrong_department_are_refused(indexed: list) -> None:
    topic = factories.topic()
    data = SYNTHETIC.replace("发布机构: 市人民政府", "发布机构: 市秘密局").encode()
    with pytest.raises(PolicyRefused) as refused:
        import_document(
            by=_steward(), name="x.txt", data=data, defaults=ImportDefaults(topic=topic)
        )
    assert refused.value.code == "unknown_publisher"
    assert "市秘密局" in refused.value.message
    assert "x.txt, line 2" in refused.value.message
    clerk = _steward("gov_clerk", role="clerk")
    with pytest.raises(PermissionDenied):
        import_document(
            by=clerk, name="x.txt", data=SYNTHETIC.encode(), defaults=ImportDefaults(topic=topic)
        )
    other = factories.publisher(
        "市发改委", org_code="11330800MB1234567X", department_code="330800-FGW"
    )
    outsider = UserFactory(
        password=None, username="fgw", roles=["data_steward"], department=other.department
    )
    with pytest.raises(PermissionDenied):
        import_document(
            by=outsider, name="x.txt", data=SYNTHETIC.encode(), defaults=ImportDefaults(topic=topic)
        )
    assert not PolicyDocument.objects.exists()
    assert AuditEntry.objects.filter(action="policy.import", outcome="denied").count() == 2


@pytest.mark.django_db
def test_a_corrupt_docx_is_refused_and_audited(indexed: list) -> None:
    with pytest.raises(PolicyRefused) as refused:
        import_document(by=_steward(), name="坏.docx", data=b"PK\x03\x04garbage")
    assert refused.value.code == "format"
    assert refused.value.message.startswith("坏.docx")
    entry = AuditEntry.objects.get(action="policy.import")
    assert entry.outcome == "failure"
    assert entry.details["file"] == "坏.docx"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(SYNTHETIC.encode("gb18030"))
    second = SYNTHETIC.replace("2023-000042", "2023-000043").replace("依申请公开", "主动公开")
    (folder / "sub" / "b.html").write_text(
        "<html><body>"
        + "".join(f"<p>{line}</p>" for line in second.split("\n"))
        + "</body></html>",
        encoding="utf-8",
    )
    (folder / "c.docx").write_bytes(b"corrupt")
    (folder / "d.txt").write_bytes(SYNTHETIC.encode())  # same 索引号 as a.txt
    (folder / "notes.csv").write_text("ignored")
    (folder / ".hidden.txt").write_text("ignored")
    return folder


@pytest.mark.django_db
def test_import_folder_goes_on_after_bad_files(indexed: list, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    seen: list[tuple[int, int, str]] = []
    report = import_folder(
        folder,
        by=_steward(),
        defaults=ImportDefaults(topic=factories.topic()),
        progress=lambda done, total, name: seen.append((done, total, name)),
    )
    assert [name for name, _ in report.imported] == ["a.txt", "sub/b.html"]
    assert [name for name, _ in report.failed] == ["c.docx", "d.txt"]
    assert "c.docx" in report.failed[0][1]
    assert "索引号" in report.failed[1][1]
    assert seen == [(1, 4, "a.txt"), (2, 4, "c.docx"), (3, 4, "d.txt"), (4, 4, "sub/b.html")]
    assert PolicyDocument.objects.count() == 2
    assert report.total == 4


@pytest.mark.django_db
def test_import_folder_refuses_a_user_without_the_permission(tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_folder(_folder(tmp_path), by=_steward("c", role="clerk"))


@pytest.mark.django_db
def test_the_command_imports_with_progress_and_fails_on_bad_files(
    indexed: list, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    factories.topic()
    folder = _folder(tmp_path)
    with pytest.raises(CommandError, match="0 imported, 4 failed"):  # no such publisher yet
        call_command("policy", "import", str(folder), "--no-progress")
    assert "a.txt, line 2, 发布机构: unknown publisher 市人民政府" in capsys.readouterr().err
    factories.publisher()
    with pytest.raises(CommandError, match="2 imported, 2 failed"):
        call_command("policy", "import", str(folder), "--topic", "0102")
    _out, err = capsys.readouterr()
    assert "FAILED c.docx: c.docx: corrupt .docx file" in err
    assert "import: 100%" in err  # the tqdm bar
    assert PolicyDocument.objects.count() == 2
    with pytest.raises(CommandError, match="--topic 9999"):
        call_command("policy", "import", str(folder), "--topic", "9999")
    with pytest.raises(CommandError, match="no such active user"):
        call_command("policy", "import", str(folder), "--as", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        call_command("policy", "import", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_the_refresh_validity_command(indexed: list, capsys: pytest.CaptureFixture[str]) -> None:
    doc = factories.document(effective_until=date(2020, 1, 1))
    call_command("policy", "refresh-validity")
    assert "1 documents changed" in capsys.readouterr().out
    doc.refresh_from_db()
    assert doc.validity == Validity.EXPIRED


@pytest.mark.django_db
def test_a_tampered_index_number_in_a_file_is_refused(indexed: list) -> None:
    factories.topic()
    data = SYNTHETIC.replace("11330800002618015K/2023-000042", "<script>alert(1)</script>").encode()
    with pytest.raises(PolicyRefused) as refused:
        import_document(
            by=_steward(), name="t.txt", data=data, defaults=ImportDefaults(topic=factories.topic())
        )
    assert refused.value.field == "index_number"
    assert not PolicyDocument.objects.exists()


@pytest.mark.django_db
def test_the_index_commands_report_progress_and_differences(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command's side only: helper A's rebuild_index / index_differences are stood in for."""
    from shuzhi.domains.policy.services import indexing

    def rebuild(*, by: Any, request: Any = None, progress: Any = None) -> int:
        assert by is None
        for done in (1, 2, 3):
            progress(done, 3)
        return 3

    monkeypatch.setattr(indexing, "rebuild_index", rebuild, raising=False)
    call_command("policy", "reindex")
    captured = capsys.readouterr()
    assert "index rebuilt: 3 documents" in captured.out
    assert "3/3" in captured.err
    monkeypatch.setattr(indexing, "index_differences", lambda: (set(), set()), raising=False)
    call_command("policy", "check-index")
    assert "agree" in capsys.readouterr().out
    monkeypatch.setattr(indexing, "index_differences", lambda: ({7}, {9, 8}), raising=False)
    with pytest.raises(CommandError, match="1 missing, 2 extra"):
        call_command("policy", "check-index")
    assert "[8, 9]" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.django_db
def test_imports_and_changes_reach_the_search_index(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    """With helper A's real indexing: after imports (one file refused), a change of disclosure
    and a repeal, the index holds exactly the public documents of the database."""
    from shuzhi.domains.policy.services.documents import document_repeal, document_update
    from shuzhi.domains.policy.services.indexing import index_differences

    user = _steward()
    with django_capture_on_commit_callbacks(execute=True):
        report = import_folder(
            _folder(tmp_path), by=user, defaults=ImportDefaults(topic=factories.topic())
        )
    assert len(report.imported) == 2
    assert index_differences() == (set(), set())
    first, second = (PolicyDocument.objects.get(pk=pk) for _, pk in report.imported)
    assert first.disclosure == Disclosure.ON_REQUEST  # a.txt says 依申请公开: not indexed
    with django_capture_on_commit_callbacks(execute=True):
        document_update(by=user, document=first, changes={"disclosure": Disclosure.PROACTIVE})
        document_repeal(by=user, document=second, repealed_by=first)
    assert index_differences() == (set(), set())
    with django_capture_on_commit_callbacks(execute=True):
        document_update(by=user, document=second, changes={"disclosure": Disclosure.NOT_DISCLOSED})
    assert index_differences() == (set(), set())
