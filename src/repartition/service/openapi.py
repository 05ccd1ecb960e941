"""The service's OpenAPI 3.1 description, with the household's JSON Schema generated from the charter."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from ..charter import Charter
from ..schema import JSON_SCHEMA_DIALECT, household_schema

__all__ = ["openapi_document", "ERROR_CODES"]

#: The `erreur` codes of the service's error bodies, and their HTTP status.
ERROR_CODES = {
    "invalide": 422, "non_oriente": 422, "hors_vigueur": 422, "json_invalide": 400, "date_invalide": 400,
    "trop_grand": 413, "lot_trop_grand": 413, "introuvable": 404, "methode_non_permise": 405, "interne": 500,
}

_REF = "#/components/schemas/"
_TEXT_OR_NULL = {"type": ["string", "null"]}
_TEXTS = {"type": "array", "items": {"type": "string"}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _decision(charter: Charter) -> dict[str, Any]:
    properties = {
        "service": {"type": "string", "enum": list(charter.services)},
        "libelle_service": {"type": "string"},
        "unite": _TEXT_OR_NULL,
        "regle": {"type": "string", "enum": [r.name for r in charter.rules]},
        "reference": _TEXT_OR_NULL,
        "regles": _TEXTS,
        "regles_ecartees": _TEXTS,
        "partenaires": {"type": "array", "description": "services partenaires nommés avec la décision"},
        "faits": {"type": "object", "description": "donnée → valeur lue par les règles (montants en texte "
                  "décimal exact, dates AAAA-MM-JJ, null si inconnue)"},
        "valeurs_par_defaut": _TEXTS,
        "explication": {"type": "string"},
        "charte": {"type": "object", "required": ["titre", "version", "sha256"], "additionalProperties": False,
                   "properties": {"titre": {"type": "string"}, "version": _TEXT_OR_NULL,
                                  "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
    }
    return {"type": "object", "required": list(properties), "properties": properties,
            "additionalProperties": False, "description": "La décision : `Decision.to_dict()` de l'API Python."}


def _error() -> dict[str, Any]:
    return {
        "type": "object", "required": ["erreur", "message", "champ", "valeur", "attendu"],
        "description": "Une erreur ; jamais de trace Python. `code` précise `invalide` ; `nature`, `regles` "
                       "et `services` accompagnent `non_oriente`.",
        "properties": {
            "erreur": {"type": "string", "enum": list(ERROR_CODES)},
            "message": {"type": "string", "description": "le message en français"},
            "champ": _TEXT_OR_NULL,
            "valeur": {"description": "la valeur reçue, telle quelle"},
            "attendu": {"type": ["object", "null"], "description": "ce que la donnée accepte : type, min, max, "
                        "valeurs, formats, inconnu_possible"},
            "code": {"type": "string"},
            "nature": {"type": "string", "enum": ["lacune", "conflit", "indetermination"]},
            "regles": _TEXTS,
            "services": _TEXTS,
            "limite": {"type": "integer"},
        },
    }


def _item() -> dict[str, Any]:
    line = {"type": "integer", "minimum": 1, "description": "rang dans le tableau, ou numéro de ligne"}
    return {"oneOf": [
        {"type": "object", "required": ["ligne", "decision"], "additionalProperties": False,
         "properties": {"ligne": line, "decision": _ref("Decision")}},
        {"type": "object", "required": ["ligne", "erreur"], "additionalProperties": False,
         "properties": {"ligne": line, "erreur": _ref("Erreur")}},
    ]}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi_document(charter: Charter, *, max_body: int, max_batch: int) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a service serving `charter` (JSON Schema 2020-12 throughout)."""
    errors = {
        "400": _json(_ref("Erreur"), "JSON illisible (`json_invalide`) ou date invalide (`date_invalide`)"),
        "413": _json(_ref("Erreur"), f"requête de plus de {max_body} octets (`trop_grand`)"),
    }
    date = {"name": "date", "in": "query", "required": False,
            "description": "AAAA-MM-JJ : la version de la charte en vigueur ce jour-là (par défaut : aujourd'hui)",
            "schema": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}}
    jsonl = {"schema": {"type": "string", "description": "un ménage (objet JSON) par ligne"}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": JSON_SCHEMA_DIALECT,
        "info": {"title": f"repartition — {charter.title}", "version": metadata.version("repartition"),
                 "description": "Service de décision : oriente chaque ménage signalé vers un seul service "
                                "social, selon la charte. Chaque réponse porte l'empreinte sha256 de la charte "
                                "employée (en-tête X-Charte-Sha256)."},
        "paths": {
            "/orienter": {"post": {
                "summary": "Oriente un ménage", "operationId": "orienter", "parameters": [date],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Menage")}}},
                "responses": {"200": _json(_ref("Decision"), "la décision"),
                              "422": _json(_ref("Erreur"), "donnée illisible (`invalide`), ménage que la charte "
                                           "n'oriente pas (`non_oriente`) ou aucune version en vigueur"),
                              **errors}}},
            "/orienter/lot": {"post": {
                "summary": f"Oriente un lot d'au plus {max_batch} ménages", "operationId": "orienterLot",
                "parameters": [date],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "array", "maxItems": max_batch, "items": _ref("Menage")}},
                    "application/x-ndjson": jsonl}},
                "responses": {
                    "200": {"description": "un résultat par ménage, dans l'ordre ; au format de la requête",
                            "content": {"application/json": {"schema": {"type": "array", "items": _ref("ElementLot")}},
                                        "application/x-ndjson": {"schema": {"type": "string"}}}},
                    "422": _json(_ref("Erreur"), "aucune version en vigueur (`hors_vigueur`)"),
                    **errors, "413": _json(_ref("Erreur"), f"plus de {max_body} octets (`trop_grand`) ou de "
                                           f"{max_batch} ménages (`lot_trop_grand`)")}}},
            "/charte": {"get": {"summary": "La charte en vigueur", "operationId": "charte", "parameters": [date],
                                "responses": {"200": _json({"type": "object"}, "titre, version, validité, sha256, "
                                                           "services, données, règles")}}},
            "/charte/schema": {"get": {
                "summary": "Le schéma JSON (2020-12) d'un ménage", "operationId": "schemaMenage", "parameters": [date],
                "responses": {"200": {"description": "le schéma",
                                      "content": {"application/schema+json": {"schema": {"type": "object"}}}}}}},
            "/sante": {"get": {"summary": "État du service", "operationId": "sante",
                               "responses": {"200": _json({"type": "object"}, "charte servie, versions, dernier "
                                                          "rechargement refusé et ses erreurs")}}},
            "/": {"get": {"summary": "Le formulaire du secrétariat (HTML)", "operationId": "formulaire",
                          "responses": {"200": {"description": "page HTML",
                                                "content": {"text/html": {"schema": {"type": "string"}}}}}}},
        },
        "components": {"schemas": {
            "Menage": household_schema(charter),
            "Decision": _decision(charter),
            "Erreur": _error(),
            "ElementLot": _item(),
        }},
    }

