"""The decision log: one JSON line per decision, appended whole, flushed at once, synced on request."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any, Iterable

from ..errors import RepartitionError, os_reason

__all__ = ["DecisionLog", "input_digest", "log_line"]


def input_digest(household: object) -> str:
    """sha256 of the household as canonical JSON (sorted keys, no spaces, UTF-8): the same input
    gives the same digest whatever its key order or spacing."""
    text = json.dumps(household, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def log_line(*, request: str, item: int | None, household: object, sha256: str, version: str | None,
             decision: dict[str, Any] | None, refusal: dict[str, Any] | None, facts: bool) -> bytes:
    """One line of the log (documented in docs/service.rst), newline included."""
    entry: dict[str, Any] = {
        "horodatage": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
        "requete": request,
    }
    if item is not None:
        entry["ligne"] = item
    entry["charte"] = {"version": version, "sha256": sha256}
    if decision is not None:
        entry.update(service=decision["service"], unite=decision["unite"], regle=decision["regle"])
        if facts:
            entry["faits"] = decision["faits"]
    else:
        assert refusal is not None
        entry.update(service=None, erreur="non_oriente", nature=refusal["nature"], regles=refusal["regles"])
    entry["empreinte"] = input_digest(household)
    return (json.dumps(entry, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


class DecisionLog:
    """Appends lines to a file opened for appending only: each line is one `os.write` under a lock,
    so lines never interleave, within this process or with another appending to the same file;
    nothing waits in a buffer. With `sync`, each batch of lines is on disk (fsync) before the
    call returns, hence before the response leaves."""

    def __init__(self, path: str | Path, *, sync: bool = False, facts: bool = True):
        self.path = Path(path)
        self.sync = sync
        self.facts = facts
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o640)
        except OSError as error:
            raise RepartitionError(f"journal « {self.path} » impossible à ouvrir : {os_reason(error)}") from None
        self._lock = threading.Lock()

    def write(self, lines: Iterable[bytes]) -> None:
        """Append whole lines, each in one write; then fsync if the log syncs."""
        with self._lock:
            for line in lines:
                view = memoryview(line)
                while view:  # a regular file takes the whole line at once; a short write goes on
                    view = view[os.write(self._fd, view):]
            if self.sync:
                os.fsync(self._fd)

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
