"""The user's cache folder: compiled charters and the grammar's tables, written atomically, read only if safe.

Like Python's `__pycache__`, a charter's compiled form (its checked model, generated code and
whether its examples and proof passed) is kept so that an unchanged charter starts at once. An
entry is used only when everything it was made from is unchanged: the charter's bytes, the bytes
of each of its tables, and repartition's own code, grammar and Python version. Anything else (a
stale, truncated or garbled file, one that cannot be read) is a miss: the charter is compiled
again and the entry rewritten. Failing to write (read-only folder, full disk) only costs the next
start its speed.

The folder is `$XDG_CACHE_HOME/repartition`, else `~/.cache/repartition`. Its files are pickles
and code that run when read, so they have the trust of the user's own files (as `~/.cache/pip`
or `__pycache__`): a folder or file that is not the user's own, or that others may write, is
never read nor written. `REPARTITION_CACHE=0` turns the compiled-charter cache off (the grammar's
tables, which depend on no file of the user's, are still kept).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
import sys
from pathlib import Path
from types import CodeType
from typing import NamedTuple

from . import runtime
from .resources import grammar_path, package_dir

__all__ = ["ENVIRONMENT", "MAX_CHARTERS", "CharterEntry", "CharterSlot", "charters_enabled", "folder", "read",
           "write", "code_digest"]

#: The environment variable that turns the compiled-charter cache off when set to 0.
ENVIRONMENT = "REPARTITION_CACHE"
_OFF = {"0", "non", "no", "false", "faux", "off"}
#: Bumped when the layout of an entry changes.
_FORMAT = 1
#: Most compiled charters kept: writing one more removes the oldest written (a service loading
#: charters it is sent must not fill the disk).
MAX_CHARTERS = 256
_CHARTER_SUFFIX = ".charte"


def charters_enabled() -> bool:
    """Whether compiled charters may be read from and written to the cache (REPARTITION_CACHE)."""
    return os.environ.get(ENVIRONMENT, "").strip().lower() not in _OFF


def folder(*, create: bool = False) -> Path | None:
    """The cache folder, made private if `create` and absent; None if absent or not safe to use."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG specification: a relative path is to be ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):  # no home folder known: no cache, rather than one in `./~`
            return None
    path = Path(base, "repartition")
    try:
        if create:
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = path.stat()
    except OSError:
        return None
    return path if stat.S_ISDIR(status.st_mode) and _private(status) else None


def _private(status: os.stat_result) -> bool:
    """Owned by the user running us, and writable by no one else."""
    if not hasattr(os, "getuid"):  # Windows: no owner and mode bits to check
        return True
    return status.st_uid == os.getuid() and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(name: str, key: bytes) -> bytes | None:
    """The data of a cache file written under `key`; None if absent, stale, unsafe or unreadable."""
    where = folder()
    if where is None:
        return None
    try:
        descriptor = os.open(where / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        with open(descriptor, "rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode) or not _private(status):
                return None
            data = handle.read()
    except OSError:
        return None
    head = key + b"\n"
    return data[len(head):] if data.startswith(head) else None


def write(name: str, key: bytes, data: bytes) -> bool:
    """Write a cache file whole or not at all (a temporary file renamed); False if it cannot be."""
    where = folder(create=True)
    if where is None:
        return False
    temporary = where / f".{name}.{os.urandom(6).hex()}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with open(descriptor, "wb") as handle:
            handle.write(key + b"\n")
            handle.write(data)
        os.replace(temporary, where / name)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return False
    return True


@functools.cache
def code_digest() -> str:
    """sha256 of what compiles a charter: repartition's Python files and grammar, Lark's version,
    Python's. An edited install (`pip install -e`) gets another digest, hence no stale entry."""
    digest = hashlib.sha256(f"{sys.implementation.cache_tag}\0{sys.version}".encode())
    root = package_dir()
    files = sorted(_python_files(root))
    for path in [*files, grammar_path(), _lark_version_file()]:
        if path is None:
            continue
        digest.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(Path(path).read_bytes())
        except OSError:
            digest.update(b"\0absent\0")
        digest.update(b"\0")
    return digest.hexdigest()


def _python_files(root: Path):
    """Every .py file of the package, its sub-packages included."""
    for entry in os.scandir(root):
        if entry.is_dir() and entry.name != "__pycache__":
            yield from _python_files(Path(entry.path))
        elif entry.name.endswith(".py"):
            yield entry.path


def _lark_version_file() -> str | None:
    """Lark's `__init__.py`, which holds its version, found without importing Lark."""
    from importlib.util import find_spec

    spec = find_spec("lark")
    return spec.origin if spec is not None else None


# ---- compiled charters --------------------------------------------------------------------------

class CharterEntry(NamedTuple):
    """A charter's compiled form as the cache keeps it."""

    model: object  # model.CharterModel
    text: str  # the charter's text, prepared, for source lines in messages
    generated: object  # dsl.loader.Generated
    code: CodeType  # generated.source compiled
    verified: bool  # whether its examples passed and the proof found no error


class CharterSlot:
    """The cache file of one charter (by name and table folder) and the key its entry must carry."""

    def __init__(self, name: str, base_dir: Path | None, raw: bytes):
        self.base_dir = base_dir
        place = f"{name}\0{'' if base_dir is None else os.path.abspath(base_dir)}"
        self.name = hashlib.sha256(place.encode("utf-8", "surrogateescape")).hexdigest()[:32] + _CHARTER_SUFFIX
        key = hashlib.sha256()
        # runtime.reader and recorder: what the generated code calls, whether the C reader is built.
        for part in (f"charte {_FORMAT}", code_digest(), f"{runtime.reader is not None} {runtime.recorder is not None}",
                     name, raw):
            part = part if isinstance(part, bytes) else part.encode("utf-8", "surrogateescape")
            key.update(len(part).to_bytes(8, "little") + part)
        self.key = key.hexdigest().encode("ascii")

    def load(self) -> tuple[CharterEntry, dict[str, bytes]] | None:
        """The entry, if one was written under this key, and its tables' bytes by path, if unchanged."""
        data = read(self.name, self.key)
        if data is None:
            return None
        import pickle  # here: a miss needs no pickle

        from .dsl.loader import Generated
        from .model import CharterModel

        try:
            model, text, generated, code, verified = pickle.loads(data)
            entry = CharterEntry(model, text, generated, marshal.loads(code), verified)
        except Exception:  # noqa: BLE001 - a garbled entry can fail in any way: it is a miss
            return None
        kinds = (CharterModel, str, Generated, CodeType, bool)
        if not all(isinstance(value, kind) for value, kind in zip(entry, kinds)):
            return None
        tables = self._tables(model)
        return None if tables is None else (entry, tables)

    def _tables(self, model) -> dict[str, bytes] | None:
        """Each table's bytes by path (as a charter records them), read as a charter reads them
        (confined to its folder, bounded); None if one changed or cannot be read: a miss."""
        from .dsl.tables import read_table_bytes
        from .errors import CharterError

        base = self.base_dir if self.base_dir is not None else Path(".")
        found = {}
        for table in model.tables:
            try:
                _, raw = read_table_bytes(table.path, base)
            except CharterError:
                return None
            if hashlib.sha256(raw).hexdigest() != table.sha256:
                return None
            found[str(base / table.path)] = raw
        return found

    def save(self, entry: CharterEntry) -> bool:
        """Write the entry; False when the cache folder cannot take it."""
        import pickle

        model, text, generated, code, verified = entry
        try:
            data = pickle.dumps((model, text, generated, marshal.dumps(code), verified), pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, ValueError):
            return False  # a constant that does not pickle: loading works, uncached (tests check hits)
        if not write(self.name, self.key, data):
            return False
        _prune(MAX_CHARTERS)
        return True


def _prune(keep: int) -> None:
    """Remove the compiled charters written longest ago beyond the `keep` most recent ones."""
    where = folder()
    try:
        entries = [(entry.stat().st_mtime_ns, entry.path) for entry in os.scandir(where)
                   if entry.name.endswith(_CHARTER_SUFFIX)] if where is not None else []
        if len(entries) > keep:
            for _, path in sorted(entries)[:len(entries) - keep]:
                os.unlink(path)
    except OSError:
        pass  # another process pruned first, or the folder went read-only: the next write retries
