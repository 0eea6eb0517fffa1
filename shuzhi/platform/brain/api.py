"""The brain API router (under /api/v1/brain/)."""

from ninja import Router

router = Router(tags=["brain"])
