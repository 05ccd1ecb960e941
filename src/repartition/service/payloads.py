"""The JSON bodies of the service: decisions as `Decision.to_dict` gives them, and structured French errors."""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidHousehold, NoDecision
from ..schema import jsonable

__all__ = ["Failed", "dumps", "error_body", "invalid_body", "refusal_body"]


class Failed(Exception):
    """A request that ends in an error response (status, JSON body)."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


def error_body(erreur: str, message: str, /, **extra: Any) -> dict[str, Any]:
    """An error's JSON: `erreur` (its code), the French `message`, then `champ`, `valeur` and
    `attendu` (null unless a value is at fault) and any other key."""
    return {"erreur": erreur, "message": message, "champ": None, "valeur": None, "attendu": None, **extra}


def invalid_body(error: InvalidHousehold) -> dict[str, Any]:
    """The JSON of a household that cannot be read (`erreur`: `invalide`)."""
    return {"erreur": "invalide", "message": error.diagnostic.message, "champ": error.field,
            "valeur": _json_safe(error.value), "attendu": dict(error.expected), "code": error.code}


def refusal_body(error: NoDecision) -> dict[str, Any]:
    """The JSON of a household the charter does not route (`erreur`: `non_oriente`)."""
    return error_body("non_oriente", error.diagnostic.message, code="non_oriente", nature=error.kind,
                      regles=list(error.rules), services=list(error.services))


def _json_safe(value: object) -> Any:
    """A value given in a request, as JSON gives it back (anything else: its text)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(jsonable(value))


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_ASCII = json.JSONEncoder(separators=(",", ":")).encode


def dumps(value: object) -> bytes:
    """Compact UTF-8 JSON (as `json.dumps`, with one encoder made once). Text holding a lone surrogate
    (JSON's "\\ud800" reads as one), which UTF-8 cannot carry, is written with \\u escapes instead."""
    try:
        return _ENCODE(value).encode("utf-8")
    except UnicodeEncodeError:
        return _ENCODE_ASCII(value).encode("ascii")
