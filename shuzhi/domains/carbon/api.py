"""Carbon API (django-ninja) at /api/v1/carbon."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["carbon"])
