"""Public-services API (django-ninja) at /api/v1/services: (being written) licence verification."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["services"])
