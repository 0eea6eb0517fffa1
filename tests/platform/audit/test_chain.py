from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shuzhi.platform.audit.models import AppendOnlyError, AuditEntry, AuditHead
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.audit.verify import audit_chain_verify

pytestmark = pytest.mark.django_db


def _write(n: int) -> None:
    for i in range(n):
        audit_record(action=f"test.{i}", actor_name=f"actor{i}", details={"i": i, "名": "张三"})


def _sql(statement: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_intact_chain_verifies() -> None:
    _write(10)
    report = audit_chain_verify()
    assert report.ok
    assert report.checked == 10


def test_empty_log_verifies() -> None:
    assert audit_chain_verify().ok


def test_entries_chain_each_hash_to_the_one_before() -> None:
    _write(3)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert entries[0].prev_hash == "0" * 64
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash


def test_updated_field_is_caught_at_that_entry() -> None:
    _write(10)
    _sql("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 4")
    report = audit_chain_verify()
    assert (report.problem, report.first_bad_seq) == ("altered", 4)


def test_updated_details_are_caught() -> None:
    _write(5)
    _sql("UPDATE audit_auditentry SET outcome = 'failure' WHERE seq = 2")
    assert audit_chain_verify().first_bad_seq == 2


def test_deleted_row_is_caught_at_the_next_entry() -> None:
    _write(10)
    _sql("DELETE FROM audit_auditentry WHERE seq = 6")
    report = audit_chain_verify()
    assert (report.problem, report.first_bad_seq) == ("removed", 7)


def test_deleted_row_with_renumbered_successors_is_still_caught() -> None:
    _write(6)
    _sql("DELETE FROM audit_auditentry WHERE seq = 3")
    for seq in (4, 5, 6):
        _sql("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq - 1, seq])
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_bad_seq == 3


def test_swapped_rows_are_caught() -> None:
    _write(10)
    _sql("UPDATE audit_auditentry SET seq = 1000 WHERE seq = 5")
    _sql("UPDATE audit_auditentry SET seq = 5 WHERE seq = 6")
    _sql("UPDATE audit_auditentry SET seq = 6 WHERE seq = 1000")
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_bad_seq == 5


def test_truncated_tail_is_caught_by_the_sealed_head() -> None:
    _write(10)
    _sql("DELETE FROM audit_auditentry WHERE seq > 7")
    report = audit_chain_verify()
    assert (report.problem, report.first_bad_seq) == ("truncated", 8)


def test_truncated_tail_with_a_forged_head_is_caught() -> None:
    _write(10)
    last_kept = AuditEntry.objects.get(seq=7)
    _sql("DELETE FROM audit_auditentry WHERE seq > 7")
    _sql(
        "UPDATE audit_audithead SET seq = 7, entry_hash = %s WHERE id = 1",
        [last_kept.entry_hash],
    )
    assert audit_chain_verify().problem == "head_forged"


def test_whole_table_emptied_is_caught() -> None:
    _write(3)
    _sql("DELETE FROM audit_auditentry")
    assert audit_chain_verify().problem == "truncated"


def test_entries_cannot_be_changed_or_deleted_through_the_orm() -> None:
    _write(2)
    entry = AuditEntry.objects.get(seq=1)
    entry.actor = "mallory"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(actor="mallory")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert audit_chain_verify().ok


def test_head_names_the_last_entry() -> None:
    _write(4)
    head = AuditHead.objects.get()
    assert head.seq == 4
    assert head.entry_hash == AuditEntry.objects.get(seq=4).entry_hash


def test_verify_command_succeeds_on_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _write(3)
    call_command("audit", "verify", "--no-progress")
    assert "intact: 3 entries" in capsys.readouterr().out


def test_verify_command_names_the_first_tampered_entry() -> None:
    _write(5)
    _sql("UPDATE audit_auditentry SET action = 'x' WHERE seq = 3")
    with pytest.raises(CommandError, match="#3"):
        call_command("audit", "verify", "--no-progress")


def test_recomputed_hashes_without_the_key_are_caught_at_the_altered_entry() -> None:
    """An attacker with database access but not the audit key cannot re-chain."""
    from shuzhi.platform.audit.chain import entry_hash

    _write(8)
    _sql("UPDATE audit_auditentry SET actor = 'mallory' WHERE seq = 4")
    prev = AuditEntry.objects.get(seq=3).entry_hash
    wrong_key = b"\x01" * 16
    for seq in range(4, 9):
        row = AuditEntry.objects.filter(seq=seq).values().get()
        digest = entry_hash(wrong_key, prev, row)
        _sql(
            "UPDATE audit_auditentry SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [prev, digest, seq],
        )
        prev = digest
    report = audit_chain_verify()
    assert (report.problem, report.first_bad_seq) == ("altered", 4)


def test_an_old_head_put_back_after_truncation_is_caught_by_the_anchor() -> None:
    from shuzhi.platform.audit.services import audit_anchor_write

    _write(7)
    old_head = AuditHead.objects.values_list("seq", "entry_hash", "seal").get()
    _write(3)
    report = audit_chain_verify()
    audit_anchor_write(seq=report.checked, last_hash=report.last_hash)
    _sql("DELETE FROM audit_auditentry WHERE seq > 7")
    _sql(
        "UPDATE audit_audithead SET seq = %s, entry_hash = %s, seal = %s WHERE id = 1",
        list(old_head),
    )
    report = audit_chain_verify()
    assert (report.problem, report.first_bad_seq) == ("truncated", 8)


def test_wiping_entries_and_head_is_caught_once_anchored() -> None:
    from shuzhi.platform.audit.services import audit_anchor_write

    _write(3)
    report = audit_chain_verify()
    audit_anchor_write(seq=report.checked, last_hash=report.last_hash)
    _sql("DELETE FROM audit_auditentry")
    _sql("DELETE FROM audit_audithead")
    assert audit_chain_verify().problem == "head_missing"


def test_forged_anchor_line_is_reported(settings: object) -> None:
    from shuzhi.platform.audit.services import anchor_path

    _write(2)
    anchor_path().write_text("2 " + "a" * 64 + " " + "b" * 64 + "\n", encoding="ascii")
    assert audit_chain_verify().problem == "anchor_forged"


def test_entries_written_during_a_walk_are_not_mistaken_for_tampering() -> None:
    _write(5)
    written: list[int] = []

    def write_meanwhile(_: int) -> None:
        if not written:
            written.append(audit_record(action="meanwhile", actor_name="x").seq)

    report = audit_chain_verify(progress=write_meanwhile)
    assert report.ok
    assert report.checked == 5
    assert written == [6]
    assert audit_chain_verify().checked == 6


def test_numbers_and_odd_text_survive_the_database_unchanged() -> None:
    audit_record(
        action="odd\x00action",
        actor_name="nul\x00name",
        details={"big": 1e20, "neg": -0.0, "small": 1e-7, "text": "a\x00b", "中文": "衢州"},
    )
    entry = AuditEntry.objects.get(seq=1)
    assert entry.details["big"] == 1e20
    assert entry.details["text"] == "a\x00b"
    assert "\x00" not in entry.actor
    assert audit_chain_verify().ok


def test_not_a_number_in_details_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="JSON compliant"):
        audit_record(action="x", details={"bad": float("nan")})
    assert not AuditEntry.objects.exists()


def test_verify_command_anchors_the_verified_head(capsys: pytest.CaptureFixture[str]) -> None:
    from shuzhi.platform.audit.services import anchor_path

    _write(3)
    call_command("audit", "verify", "--no-progress")
    assert anchor_path().read_text(encoding="ascii").startswith("3 ")
