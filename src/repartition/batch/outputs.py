"""A batch's output files, written under temporary names beside their targets and committed together or not at all.

Each output `NAME` is written to `.NAME.<run>.partiel` in its folder, `<run>` being 8 hex digits
shared by the files of one run, and locked while the run lives (POSIX `flock`). `commit`:

1. closes every temporary file: a full disk or a size limit shows here, with every target untouched;
2. with several files, writes the journal `.NAME.<run>.journal` beside the first one: the list of
   renames about to happen (from here on, the commit is decided);
3. keeps each existing target under `.NAME.<run>.ancien` (a hard link; where the file system has
   none, the target is moved there);
4. renames every temporary file over its target, the routed rows last; if one rename fails, those
   done are undone from step 3, so that every target is as it was, and the error says so;
5. removes the kept targets, then the journal.

Opening an output first cleans what a run killed on the same target left: temporary files are
removed, and a journal is carried out (its renames finished: they were all complete), so that
the outputs are those of one run, never a mix. Only regular files of the current user, named on
the target's own name, with no live run holding their lock, are touched; a live run writing the
same target stops the new one with a French error.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import sys
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # not POSIX: no locks (there, a file another program holds open cannot be removed)
    fcntl = None

from ..errors import os_reason
from .errors import BatchError
from .readers import STDIO, display_name

__all__ = ["AtomicFile", "OutputFiles", "UNTOUCHED"]

#: What a failed batch says of its outputs when it left them all as they were.
UNTOUCHED = "aucun fichier de sortie n'a été créé ni modifié"


def _sibling(target: str, run: str, kind: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{run}.{kind}")


def _lock(fd: int) -> bool:
    """Lock an open file for this process's life; False if another process holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _ours(path: str) -> bool:
    """Whether a file is a regular file of the current user (a link, or someone else's file, is left alone)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and (not hasattr(os, "getuid") or info.st_uid == os.getuid())


def _held_by_a_live_run(path: str) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # already gone
    try:
        return not _lock(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """One output: a text stream to `.NAME.<run>.partiel` beside its target, renamed over it on commit.

    `-` is standard output, written directly. A symbolic link is followed: the file it points to
    is replaced, the link kept. Existing targets other than regular files (devices, pipes) are
    refused, since renaming over them would replace them.
    """

    def __init__(self, path: str | Path, *, newline: str | None = "", run: str | None = None):
        self.path = str(path)
        self.name = display_name(path)
        self.run = run or secrets.token_hex(4)
        #: The temporary file, None for standard output or once committed or discarded.
        self.temporary: str | None = None
        #: Where the previous target is kept during a commit, and whether it was moved there.
        self.kept: str | None = None
        self.moved = False
        if self.path == STDIO:
            stream = sys.stdout
            if stream is None or getattr(stream, "closed", False):  # `orienter … >&-`
                raise BatchError("la sortie standard est fermée : indiquez un fichier de sortie avec -o")
            self.stream: IO[str] = stream
            return
        self.target = os.path.realpath(self.path)
        try:
            mode = os.stat(self.target).st_mode
        except OSError:
            mode = None  # a new file; a missing folder is named below
        if mode is not None and stat.S_ISDIR(mode):
            raise BatchError(f"{self.name} est un dossier : indiquez un nom de fichier")
        if mode is not None and not stat.S_ISREG(mode):
            raise BatchError(f"{self.name} n'est pas un fichier ordinaire (périphérique, tube…) : indiquez un "
                             f"fichier, ou « - » pour la sortie standard")
        temporary = _sibling(self.target, self.run, "partiel")
        try:
            self.stream = open(temporary, "x", encoding="utf-8", newline=newline)
        except OSError as error:
            folder = os.path.dirname(self.target) or "."
            if isinstance(error, FileNotFoundError) and not os.path.isdir(folder):
                reason = f"le dossier « {os.path.dirname(self.path)} » n'existe pas"
            else:
                reason = os_reason(error)
            raise BatchError(f"impossible d'écrire {self.name} : {reason}") from None
        self.temporary = temporary
        _lock(self.stream.fileno())

    @property
    def is_file(self) -> bool:
        return self.path != STDIO

    def close(self) -> None:
        """Write out what is buffered and close (standard output is only flushed); OSError if that fails."""
        if self.is_file:
            self.stream.close()
        else:
            self.stream.flush()

    def commit(self) -> None:
        """Close and rename over the target: this file alone (`OutputFiles` commits several together)."""
        files = OutputFiles()
        files.files.append(self)
        files.commit()

    def discard(self) -> str | None:
        """Close and remove the temporary file, the target left as it was; never raises.

        Return why the temporary file could not be removed, if it could not (the next run on the
        same target removes it).
        """
        if self.temporary is None:
            return None
        try:
            self.stream.close()
        except OSError:
            pass  # its buffer could not be written (a full disk): it is being thrown away anyway
        temporary, self.temporary = self.temporary, None
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        except OSError as error:
            return (f"le fichier temporaire « {temporary} » n'a pas pu être supprimé ({os_reason(error)}) ; "
                    f"la prochaine orientation vers {self.name} le supprimera")
        return None


class OutputFiles:
    """The outputs of one batch (routed rows, rejects, bilan), committed together or not at all.

    Used as a context manager around the whole batch: leaving it by an error discards every
    temporary file, and an OSError or BatchError comes out as a BatchError that also says, truly,
    what became of the outputs.
    """

    def __init__(self):
        self.run = secrets.token_hex(4)
        self.files: list[AtomicFile] = []
        self._told: BatchError | None = None  # an error that already says what became of the outputs

    def open(self, path: str | Path, *, newline: str | None = "") -> IO[str]:
        """Clean what killed runs left beside `path`, then open it for writing; BatchError if it cannot be."""
        if str(path) != STDIO:
            _clean_leftovers(os.path.realpath(path), display_name(path))
        file = AtomicFile(path, newline=newline, run=self.run)
        self.files.append(file)
        return file.stream

    def commit(self) -> None:
        """Give every output its final name, or raise a BatchError with every target left as it was."""
        renamed = [file for file in self.files if file.temporary is not None]
        journal_path = _sibling(renamed[0].target, self.run, "journal") if len(renamed) > 1 else None
        journal = None
        current = None  # what is being written, for the message if that fails
        try:
            if journal_path is not None:  # opened (and locked) before the temporary files close and lose their locks
                journal = _Journal(journal_path)
            for current in self.files:
                current.close()
            current = None
            if journal is not None:
                journal.write(renamed)
        except BaseException as error:
            if journal is not None:
                journal.close()
            if not isinstance(error, OSError):
                raise
            name = current.name if current is not None else f"le journal « {journal_path} »"
            raise self._failed(f"impossible d'écrire {name} : {os_reason(error)}", self.discard()) from None
        done: list[AtomicFile] = []
        try:
            for current in renamed:
                _keep_previous(current)
            for current in reversed(renamed):  # the routed rows last: their new version means a complete run
                os.replace(current.temporary, current.target)
                current.temporary = None
                done.append(current)
        except BaseException as error:  # Ctrl-C too: undone now rather than finished by the next run
            not_restored, not_removed = _undo(renamed, done)
            if journal is not None:
                journal.close()
            if not isinstance(error, OSError):
                raise
            raise self._failed(f"impossible d'enregistrer {current.name} : {os_reason(error)}", not_removed,
                               not_restored or None) from None
        for file in renamed:  # the commit is complete: what is left is only tidying up
            if file.kept is not None:
                _remove_quietly(file.kept)
                file.kept = None
        if journal is not None:
            journal.close()

    def discard(self) -> list[str]:
        """Remove every temporary file, the targets left as they were; never raises.

        Return the French problems met (files that could not be removed).
        """
        return [problem for file in self.files if (problem := file.discard()) is not None]

    def __enter__(self) -> OutputFiles:
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or error is self._told:
            return False
        problems = self.discard()
        if isinstance(error, OSError):  # a full disk, a size limit, standard output closed…
            raise self._failed(f"orientation interrompue par une erreur de lecture ou d'écriture : "
                               f"{os_reason(error)}", problems) from None
        if isinstance(error, BatchError):
            raise self._failed(str(error), problems) from None
        return False  # Ctrl-C and the like go on, with no output left behind

    def _failed(self, what: str, problems: list[str], state: list[str] | None = None) -> BatchError:
        """The error of a failed batch: `what` happened, then what became of the outputs (by default: nothing)."""
        if state is None:
            state = [UNTOUCHED]
            if any(not file.is_file for file in self.files):
                state.insert(0, "ce qui a déjà été écrit sur la sortie standard est incomplet")
        self._told = BatchError(" ; ".join([what, *state, *problems]))
        return self._told


class _Journal:
    """The renames a commit is about to make, written before the first one; locked until removed."""

    def __init__(self, path: str):
        self.path = path
        self._stream = open(self.path, "x", encoding="utf-8")
        _lock(self._stream.fileno())

    def write(self, files: list[AtomicFile]) -> None:
        """Decide the commit: once this is written, a killed run's renames are finished by the next run.

        Only the targets are written: the temporary and kept files are named after them and the run.
        """
        self._stream.write(json.dumps({"cibles": [f.target for f in files]}, ensure_ascii=False))
        self._stream.flush()

    def close(self) -> None:
        """Remove the journal: the commit is complete or undone."""
        _remove_quietly(self.path)
        try:
            self._stream.close()
        except OSError:
            pass


def _keep_previous(file: AtomicFile) -> None:
    """Keep the existing target under `.NAME.<run>.ancien` (a hard link), so a failed commit can put it back."""
    kept = _sibling(file.target, file.run, "ancien")
    try:
        os.link(file.target, kept)
    except FileNotFoundError:
        return  # a new file: undoing its rename removes it
    except OSError:
        if not os.path.lexists(file.target):
            return
        os.replace(file.target, kept)  # no hard links here (FAT, some network shares): move it aside
        file.moved = True
    file.kept = kept


def _undo(renamed: list[AtomicFile], done: list[AtomicFile]) -> tuple[list[str], list[str]]:
    """Put every target back as it was before the commit and remove the temporary files.

    Return the French problems: targets that could not be put back, temporary files left.
    """
    not_restored, not_removed = [], []
    for file in renamed:
        replaced = file in done
        try:
            if file.kept is not None and (replaced or file.moved):
                os.replace(file.kept, file.target)
                file.kept = None
            elif replaced:
                os.unlink(file.target)
        except OSError as error:
            now = "il contient la nouvelle version" if replaced else "il est absent"
            before = (f"sa version précédente est dans « {file.kept} »" if file.kept is not None else
                      "il n'existait pas avant")
            not_restored.append(f"{file.name} n'a pas pu être remis dans son état précédent "
                                f"({os_reason(error)}) : {now} ; {before}")
        else:
            if file.kept is not None:  # a link to a target that was never replaced
                _remove_quietly(file.kept)
                file.kept = None
        if (problem := file.discard()) is not None:
            not_removed.append(problem)
    return not_restored, not_removed


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass  # left over: the next run on the same target removes it


def _clean_leftovers(target: str, name: str) -> None:
    """Carry out journals and remove temporary files that killed runs left beside `target`."""
    folder, base = os.path.split(target)
    pattern = re.compile(rf"\.{re.escape(base)}\.[0-9a-f]{{8}}\.(journal|partiel)")
    try:
        found = [(m.group(1), os.path.join(folder, entry)) for entry in os.listdir(folder or ".")
                 if (m := pattern.fullmatch(entry))]
    except OSError:
        return  # an unreadable or missing folder: opening the output says why
    found.sort(key=lambda item: item[0] != "journal")  # journals first: they need their temporary files
    for kind, path in found:
        if not _ours(path):
            continue
        if _held_by_a_live_run(path):
            raise BatchError(f"une autre orientation est en train d'écrire {name} ; attendez qu'elle se "
                             f"termine (fichier « {path} »)")
        try:
            if kind == "journal":
                _finish(path)
            else:
                os.unlink(path)
        except FileNotFoundError:
            pass  # a journal carried out just before took it
        except OSError as error:
            done = ("d'achever l'enregistrement noté dans" if kind == "journal" else "de supprimer")
            raise BatchError(f"impossible {done} « {path} », laissé par une orientation interrompue vers "
                             f"{name} : {os_reason(error)}") from None


def _finish(journal: str) -> None:
    """Carry out the renames of a journal left by a killed run (its files were all complete), then remove it."""
    run = journal.rsplit(".", 2)[-2]
    try:
        with open(journal, encoding="utf-8") as stream:
            targets = json.loads(stream.read(1 << 20))["cibles"]
        if not all(isinstance(target, str) and os.path.isabs(target) for target in targets):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        targets = []  # killed while writing it: the commit was not decided, its files are only removed
    for target in targets:
        temporary = _sibling(target, run, "partiel")
        if _ours(temporary):
            os.replace(temporary, target)
    for target in targets:
        if _ours(kept := _sibling(target, run, "ancien")):
            _remove_quietly(kept)
    os.unlink(journal)
