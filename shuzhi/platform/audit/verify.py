"""Walking the audit chain: finds the first entry that was altered, removed or reordered."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from .chain import CHAINED_FIELDS, GENESIS_HASH, entry_hash, head_seal
from .models import AuditEntry, AuditHead
from .services import audit_key


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found. ``problem`` is empty when the chain is intact."""

    checked: int
    problem: str = ""
    first_bad_seq: int | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def audit_chain_verify(*, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every hash in sequence order and compare with the sealed head."""
    expected_seq = 1
    prev = GENESIS_HASH
    checked = 0
    rows = (
        AuditEntry.objects.order_by("seq")
        .values(*CHAINED_FIELDS, "prev_hash", "entry_hash")
        .iterator(chunk_size=5000)
    )
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(
                checked,
                "removed" if seq > expected_seq else "reordered",
                seq,
                f"entry #{seq} found where #{expected_seq} was expected: "
                + ("entries were removed" if seq > expected_seq else "entries were reordered"),
            )
        if row["prev_hash"] != prev:
            return ChainReport(
                checked,
                "reordered",
                seq,
                f"entry #{seq} does not follow the entry before it: removed or reordered",
            )
        if entry_hash(prev, row) != row["entry_hash"]:
            return ChainReport(
                checked, "altered", seq, f"entry #{seq} was altered after it was written"
            )
        prev = row["entry_hash"]
        expected_seq += 1
        checked += 1
        if progress is not None:
            progress(1)
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if last_seq == 0:
            return ChainReport(0)
        return ChainReport(checked, "head_missing", 1, "the sealed head of the chain is missing")
    if not hmac.compare_digest(head.seal, head_seal(audit_key(), head.seq, head.entry_hash)):
        return ChainReport(checked, "head_forged", head.seq, "the chain head's seal is wrong")
    if head.seq > last_seq:
        return ChainReport(
            checked,
            "truncated",
            last_seq + 1,
            f"the chain ends at #{last_seq} but its sealed head names #{head.seq}: "
            "entries were removed from the end",
        )
    if head.seq < last_seq or head.entry_hash != prev:
        return ChainReport(
            checked,
            "appended",
            head.seq + 1,
            f"entries after #{head.seq} were written outside the audit service",
        )
    return ChainReport(checked)
