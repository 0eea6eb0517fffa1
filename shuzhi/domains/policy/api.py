"""The public API of the policy library at /api/v1/policy/ (no sign-in: public documents only)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["policy"])
