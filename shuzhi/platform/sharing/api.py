"""The sharing API router (under /api/v1/sharing/)."""

from ninja import Router

router = Router(tags=["sharing"])
