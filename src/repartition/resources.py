"""Where the grammar and the bundled charters live, in an installed wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

__all__ = ["grammar_path", "policies_dir", "bundled_charter", "parser_cache_path", "package_dir"]

# The package is always a folder on disk (its data is opened by path): no need of importlib.resources,
# which would cost every start of the command line a few milliseconds of imports.
_PACKAGE = Path(__file__).parent
# In a source checkout (editable install, tests) the data sits at the top of the repository.
_CHECKOUT = Path(__file__).resolve().parents[2]


def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / name
    return packaged if packaged.is_dir() else _CHECKOUT / name


def grammar_path() -> Path:
    return _data_dir("grammars") / "regles.lark"


def policies_dir() -> Path:
    return _data_dir("policies")


def bundled_charter(name: str) -> Path:
    """Path of a bundled charter by file name, e.g. `dispositif-repartition.regles`."""
    return policies_dir() / name


def parser_cache_path() -> Path | None:
    """The LALR tables shipped in the wheel (built at packaging time), if present."""
    shipped = _PACKAGE / "grammars" / "regles.lark.cache"
    return shipped if shipped.is_file() else None


def package_dir() -> Path:
    """The folder of the installed package (its code, which the compiled-charter cache digests)."""
    return _PACKAGE
