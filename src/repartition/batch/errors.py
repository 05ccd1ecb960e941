"""The one error a batch raises when it cannot run at all (exit status 2): bad file, missing column."""

from __future__ import annotations

from ..errors import RepartitionError

__all__ = ["BatchError"]


class BatchError(RepartitionError):
    """The batch cannot run: unreadable file, wrong encoding, missing or clashing column, bad option."""
