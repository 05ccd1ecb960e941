"""The charters a service serves, and their hot reload: load and prove in the background, swap only what is proven."""

from __future__ import annotations

import datetime as _dt
import os
import threading
import time
from pathlib import Path
from typing import Callable

from attrs import frozen

from ..charter import Charter, load_charter
from ..errors import CharterError, RepartitionError
from ..values import date_text
from ..versions import VersionPeriod, read_day

__all__ = ["Catalogue", "CharterSource", "Refusal", "Version", "fingerprint"]

#: What a file looks like from outside: changed content changes at least one of these.
Stat = tuple[int, int, int, int] | None


def _stat(path: Path) -> Stat:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_ctime_ns, found.st_size, found.st_ino)


def fingerprint(paths) -> tuple[tuple[str, Stat], ...]:
    return tuple((str(p), _stat(p)) for p in paths)


@frozen
class Version:
    """One rule file, loaded and proven, with the files it was read from as they were then."""

    charter: Charter
    period: VersionPeriod
    files: tuple[tuple[str, Stat], ...]


@frozen
class Catalogue:
    """What the service serves at one moment: one charter, or every version of a folder."""

    source: Path
    versions: tuple[Version, ...]
    folder: bool
    listing: tuple[str, ...]  # the folder's rule files when it was read (empty for one file)

    def charter_for(self, date: object = None) -> Charter:
        """The charter in force at `date` (today by default in a folder; any date for one file,
        unless a date is given that its validity excludes); RepartitionError otherwise."""
        day = read_day(date) if date is not None else None
        if not self.folder:
            version = self.versions[0]
            if day is not None and not version.period.covers(day):
                raise RepartitionError(f"la charte (version {version.charter.version or '—'}, "
                                       f"{version.period.describe()}) n'est pas en vigueur le {date_text(day)}")
            return version.charter
        if day is None:
            day = _dt.date.today().toordinal()
        for version in self.versions:
            if version.period.covers(day):
                return version.charter
        listed = "; ".join(f"version {v.charter.version or '—'} ({v.period.describe()})" for v in self.versions)
        raise RepartitionError(f"aucune version de la charte n'est en vigueur le {date_text(day)} ; "
                               f"versions servies : {listed}")

    @property
    def current(self) -> Charter:
        """The charter answering requests without a date (the one in force today in a folder; for a
        folder without one today, its latest version)."""
        try:
            return self.charter_for()
        except RepartitionError:
            return self.versions[-1].charter

    def watched(self) -> tuple[tuple[str, ...], tuple[tuple[str, Stat], ...]]:
        """What a change of means a reload: the folder's rule files, and every file read."""
        listing = tuple(sorted(str(p) for p in self.source.glob("*.regles"))) if self.folder else ()
        files = {path for v in self.versions for path, _ in v.files} | set(listing)
        return listing, fingerprint(Path(f) for f in sorted(files))


@frozen
class Refusal:
    """A new content that was not swapped in, and why (French, located)."""

    errors: tuple[str, ...]
    files: tuple[str, ...]
    at: str  # ISO time, UTC

    def to_dict(self) -> dict:
        return {"fichiers": list(self.files), "erreurs": list(self.errors), "horodatage": self.at}


def build_catalogue(source: Path, previous: Catalogue | None = None) -> Catalogue:
    """Load (and prove) a rule file, or every version of a folder; reuse the versions of `previous`
    whose files are unchanged. Raises the French errors of what cannot be served."""
    if not source.is_dir():
        paths = [source]
    else:
        paths = sorted(source.glob("*.regles"))
        if not paths:
            raise RepartitionError(f"le dossier « {source} » ne contient aucune charte (fichier .regles)")
    known = {v.files[0][0]: v for v in previous.versions} if previous is not None else {}
    versions = []
    for path in paths:
        old = known.get(str(path))
        if old is not None and fingerprint(Path(p) for p, _ in old.files) == old.files:
            versions.append(old)
            continue
        charter = load_charter(path)
        # Looked at, then compared: a file written since it was read fails here, or changes after
        # this look and is read again next time; what is served is never older than what it watches.
        files = fingerprint(charter.files)
        if not charter.matches_files():
            raise RepartitionError(f"« {path} » ou l'une de ses tables a changé pendant sa lecture")
        model = charter.model
        versions.append(Version(charter, VersionPeriod(path, model.version, model.valid_from, model.valid_to), files))
    versions.sort(key=lambda v: (v.period.start is not None, v.period.start or 0))
    for first, second in zip(versions, versions[1:]):
        if _overlap(first.period, second.period):
            raise RepartitionError(f"les versions {first.period.path.name} ({first.period.describe()}) et "
                                   f"{second.period.path.name} ({second.period.describe()}) sont en vigueur en "
                                   "même temps : leurs périodes ne doivent pas se chevaucher")
    listing = tuple(str(p) for p in paths) if source.is_dir() else ()
    return Catalogue(source, tuple(versions), source.is_dir(), listing)


def _overlap(first: VersionPeriod, second: VersionPeriod) -> bool:
    """Whether two periods share a day (second starts no earlier than first)."""
    return first.end is None or second.start is None or second.start <= first.end


class CharterSource:
    """The catalogue being served, swapped whole when a reload loads and proves the new content.

    A watcher thread looks at the files every `interval` seconds (0: never); when they change it
    loads them again, away from the requests, and swaps the new catalogue in only if every file
    loads and is proven; otherwise the old one keeps serving and `refused` says why.
    """

    def __init__(self, source: str | Path | Charter, *, interval: float = 1.0,
                 on_change: Callable[[Catalogue], None] | None = None):
        if isinstance(source, Charter):
            period = VersionPeriod(Path(source.model.name), source.version, source.model.valid_from,
                                   source.model.valid_to)
            self.catalogue = Catalogue(Path(source.model.name), (Version(source, period, ()),), False, ())
            self.path: Path | None = None
        else:
            self.path = Path(source)
            self.catalogue = build_catalogue(self.path)
        self.interval = interval if self.path is not None else 0
        self.refused: Refusal | None = None
        self.loaded_at = _now()
        self.reloads = 0
        self._on_change = on_change
        self._seen = self.catalogue.watched() if self.path is not None else ()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # ---- the watcher ----
    def start(self) -> None:
        """Start watching (once; a source without files or with interval 0 is never reloaded)."""
        if self._thread is not None or not self.interval:  # every request asks: no lock when it is done
            return
        with self._lock:
            if self._thread is not None or not self.interval:
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="repartition-rechargement", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()

    def check(self) -> bool:
        """Look at the files once; reload if they changed. True if a new catalogue was swapped in."""
        assert self.path is not None
        seen = self.catalogue.watched()
        if seen == self._seen:
            return False
        time.sleep(min(0.05, self.interval or 0.05))  # let a writer finish before reading
        if self.catalogue.watched() != seen:
            return False  # still changing: look again next time
        self._seen = seen
        try:
            fresh = build_catalogue(self.path, self.catalogue)
        except CharterError as error:
            self._refuse([d.render() for d in error.diagnostics], seen)
            return False
        except RepartitionError as error:
            self._refuse([str(error)], seen)
            return False
        except OSError as error:  # a file vanished between listing and reading
            self._refuse([f"lecture impossible : {error.strerror or error}"], seen)
            return False
        if fresh.versions == self.catalogue.versions and fresh.listing == self.catalogue.listing:
            self.refused = None  # back to what is served (e.g. a broken file put back)
            return False
        self.catalogue = fresh  # one assignment: requests see the old catalogue or the new, never a mix
        self._seen = fresh.watched()
        self.refused = None
        self.loaded_at = _now()
        self.reloads += 1
        if self._on_change is not None:
            self._on_change(fresh)
        return True

    def _refuse(self, errors: list[str], seen) -> None:
        listing, files = seen
        self.refused = Refusal(tuple(errors), tuple(sorted({*listing, *(path for path, _ in files)})), _now())


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
