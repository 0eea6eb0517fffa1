"""The loop API router (under /api/v1/loop/)."""

from ninja import Router

router = Router(tags=["loop"])
