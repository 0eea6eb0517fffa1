"""Walking the audit chain: finds the first entry that was altered, removed or reordered."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from .chain import CHAINED_FIELDS, GENESIS_HASH, entry_hash, head_seal
from .models import AuditEntry, AuditHead
from .services import anchor_path, audit_key


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found. ``problem`` is empty when the chain is intact."""

    checked: int
    problem: str = ""
    first_bad_seq: int | None = None
    message: str = ""
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return not self.problem


def read_anchors(key: bytes) -> tuple[dict[int, str], int | None]:
    """Anchored ``seq → hash`` pairs, and the line number of the first forged line (if any)."""
    path = anchor_path()
    anchors: dict[int, str] = {}
    if not path.exists():
        return anchors, None
    for number, line in enumerate(path.read_text(encoding="ascii").splitlines(), start=1):
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            return anchors, number
        seq, digest, seal = int(parts[0]), parts[1], parts[2]
        if not hmac.compare_digest(seal, head_seal(key, seq, digest)):
            return anchors, number
        anchors[seq] = digest
    return anchors, None


def audit_chain_verify(*, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Recompute every keyed hash up to the sealed head; check the head and the anchors.

    The head is read first and only entries up to it are walked, so entries appended while the
    walk runs are neither checked nor mistaken for tampering.
    """
    key = audit_key()
    anchors, forged_line = read_anchors(key)
    if forged_line is not None:
        return ChainReport(
            0, "anchor_forged", None, f"line {forged_line} of {anchor_path()} is not genuine"
        )
    last_anchor = max(anchors, default=0)
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        if AuditEntry.objects.exists() or last_anchor:
            return ChainReport(0, "head_missing", 1, "the sealed head of the chain is missing")
        return ChainReport(0)
    if not hmac.compare_digest(head.seal, head_seal(key, head.seq, head.entry_hash)):
        return ChainReport(0, "head_forged", head.seq, "the chain head's seal is wrong")
    if head.seq < last_anchor:
        return ChainReport(
            0,
            "truncated",
            head.seq + 1,
            f"the chain's head names #{head.seq}, but #{last_anchor} was anchored: "
            "entries were removed from the end and an older head put back",
        )

    expected_seq = 1
    prev = GENESIS_HASH
    rows = (
        AuditEntry.objects.filter(seq__lte=head.seq)
        .order_by("seq")
        .values(*CHAINED_FIELDS, "prev_hash", "entry_hash")
        .iterator(chunk_size=5000)
    )
    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            return ChainReport(
                expected_seq - 1,
                "removed" if seq > expected_seq else "reordered",
                seq,
                f"entry #{seq} found where #{expected_seq} was expected: "
                + ("entries were removed" if seq > expected_seq else "entries were reordered"),
            )
        if row["prev_hash"] != prev:
            return ChainReport(
                seq - 1,
                "reordered",
                seq,
                f"entry #{seq} does not follow the entry before it: removed or reordered",
            )
        if entry_hash(key, prev, row) != row["entry_hash"] or (
            seq in anchors and anchors[seq] != row["entry_hash"]
        ):
            return ChainReport(
                seq - 1, "altered", seq, f"entry #{seq} was altered after it was written"
            )
        prev = row["entry_hash"]
        expected_seq += 1
        if progress is not None:
            progress(1)
    last_seq = expected_seq - 1
    if last_seq < head.seq:
        return ChainReport(
            last_seq,
            "truncated",
            last_seq + 1,
            f"the chain ends at #{last_seq} but its sealed head names #{head.seq}: "
            "entries were removed from the end",
        )
    if prev != head.entry_hash:
        return ChainReport(last_seq, "head_mismatch", head.seq, "the head does not match the chain")
    current = AuditHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    stray = AuditEntry.objects.filter(seq__gt=max(current, head.seq)).order_by("seq").first()
    if stray is not None:
        return ChainReport(
            last_seq,
            "appended",
            stray.seq,
            f"entry #{stray.seq} was written outside the audit service",
        )
    return ChainReport(last_seq, last_hash=prev)
