"""The notify API router (under /api/v1/notify/)."""

from ninja import Router

router = Router(tags=["notify"])
