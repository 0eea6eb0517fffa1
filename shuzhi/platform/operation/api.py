"""The operation API router (under /api/v1/operation/)."""

from ninja import Router

router = Router(tags=["operation"])
