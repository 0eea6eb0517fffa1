"""(being written) The citizen portal's and 政企通's own sections, registered in the platform's
portal registry."""

from __future__ import annotations


def register() -> None:
    return None
