"""The HTTP decision service: a Starlette application routing households as JSON, and the secretariat's form."""

from __future__ import annotations

import contextlib
import re
import uuid
from pathlib import Path
from typing import Any, AsyncIterator, Sequence
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..batch.readers import BadJson, read_json
from ..charter import Charter
from ..decision import ValidatedHousehold
from ..errors import InvalidHousehold, NoDecision, RepartitionError
from ..schema import charter_description, household_schema
from ..versions import read_day
from . import form
from .catalogue import Catalogue, CharterSource
from .journal import DecisionLog
from .openapi import openapi_document
from .payloads import Failed, dumps, error_body, invalid_body, refusal_body

__all__ = ["create_app", "Service", "DEFAULT_MAX_BODY", "DEFAULT_MAX_BATCH", "JSON_LINES_TYPES"]

#: Largest request body accepted, in bytes (413 beyond).
DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: Most households in one `POST /orienter/lot` (413 beyond).
DEFAULT_MAX_BATCH = 10_000
#: Media types of JSON Lines (any other body of `/orienter/lot` is read as a JSON array).
JSON_LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines",
                    "application/json-lines", "application/jsonlines")
#: Distinct households whose answer is kept per charter (about 1.5 kB each); the memo starts afresh beyond.
MEMO_LIMIT = 8192

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_JSON = "application/json"


class _Outcomes:
    """Answers of one charter, kept per distinct validated household: routing is a pure function of
    its values, so equal households get the same bytes (bounded, like the batch memo)."""

    def __init__(self, charter: Charter):
        self.charter = charter
        self._memo: dict[ValidatedHousehold, tuple[bytes, dict[str, Any], bool]] = {}

    def outcome(self, household: object) -> tuple[bytes, dict[str, Any], bool]:
        """(the answer as JSON, what the log keeps of it, whether it is a decision); an
        InvalidHousehold is raised as it is."""
        validated = self.charter.validate(household)  # type: ignore[arg-type]
        found = self._memo.get(validated)
        if found is None:
            try:
                body = self.charter.route(validated).to_dict()
                found = (dumps(body), {key: body[key] for key in _LOGGED_DECISION}, True)
            except NoDecision as error:
                body = refusal_body(error)
                found = (dumps(body), {key: body[key] for key in _LOGGED_REFUSAL}, False)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[validated] = found
        return found


_LOGGED_DECISION = ("service", "unite", "regle", "faits")
_LOGGED_REFUSAL = ("nature", "regles")


class Service:
    """What the application serves: the charters (hot-reloaded), the decision log and the limits."""

    def __init__(self, source: CharterSource, *, journal: DecisionLog | None, max_body: int, max_batch: int):
        self.source = source
        self.journal = journal
        self.max_body = max_body
        self.max_batch = max_batch
        self._outcomes: dict[int, _Outcomes] = {}
        self._documents: dict[tuple[str, str], bytes] = {}

    def outcomes(self, charter: Charter) -> _Outcomes:
        found = self._outcomes.get(id(charter))
        if found is None or found.charter is not charter:
            found = self._outcomes[id(charter)] = _Outcomes(charter)
        return found

    def forget(self, catalogue: Catalogue) -> None:
        """A new catalogue is served: drop what was kept for charters no longer in it."""
        kept = {id(v.charter) for v in catalogue.versions}
        for key in list(self._outcomes):  # a snapshot: requests may add to it meanwhile
            if key not in kept:
                self._outcomes.pop(key, None)
        self._documents.clear()

    def document(self, kind: str, charter: Charter, make) -> bytes:
        """A JSON document about a charter (description, schema, OpenAPI), made once per charter."""
        key = (kind, charter.sha256)
        found = self._documents.get(key)
        if found is None:
            found = self._documents[key] = dumps(make(charter))
        return found

    # ---- choosing the charter ----
    def charter(self, request: Request) -> Charter:
        """The charter for a request: the version in force at its `?date=`, or today's."""
        text = request.query_params.get("date")
        catalogue = self.source.catalogue
        if text is None:
            try:
                return catalogue.charter_for()
            except RepartitionError as error:
                raise Failed(422, error_body("hors_vigueur", str(error))) from None
        try:
            day = read_day(text)
        except RepartitionError as error:
            raise Failed(400, error_body("date_invalide", str(error))) from None
        try:
            return catalogue.charter_for(day)
        except RepartitionError as error:
            raise Failed(422, error_body("hors_vigueur", str(error))) from None

    # ---- reading requests ----
    async def body(self, request: Request) -> bytes:
        """The request's body, refused (413) past the size limit without reading it all."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise Failed(413, self._too_large())
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body:
                raise Failed(413, self._too_large())
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self) -> dict[str, Any]:
        return error_body("trop_grand", f"requête trop grande : au plus {self.max_body} octets", limite=self.max_body)

    # ---- the log ----
    def log(self, request_id: str, charter: Charter, items: Sequence[tuple[int | None, object, dict[str, Any], bool]]) -> None:
        """Log decisions and refusals (not unreadable households)."""
        if self.journal is not None and items:
            self.journal.record(request_id, charter.sha256, charter.version, items)


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id")
    return given if given is not None and _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _headers(sha256: str, request_id: str | None) -> dict[str, str]:
    headers = {"x-charte-sha256": sha256}
    if request_id is not None:
        headers["x-request-id"] = request_id
    return headers


def _json_response(status: int, content: bytes, sha256: str, request_id: str | None = None,
                   media_type: str = _JSON) -> Response:
    return Response(content, status_code=status, media_type=media_type, headers=_headers(sha256, request_id))


def _service(request: Request) -> Service:
    service: Service = request.app.state.service
    service.source.start()  # mounted in another application, whose lifespan does not reach ours
    return service


# ---- endpoints ----
async def route_one(request: Request) -> Response:
    """POST /orienter: one household (a JSON object) → its decision."""
    service, request_id = _service(request), _request_id(request)
    try:
        charter = service.charter(request)
        body = await service.body(request)
        try:
            household = read_json(body)
        except BadJson as error:
            raise Failed(400, error_body("json_invalide", str(error))) from None
        try:
            content, result, decided = service.outcomes(charter).outcome(household)
        except InvalidHousehold as error:
            raise Failed(422, invalid_body(error)) from None
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256, request_id)
    if service.journal is not None:
        await _log(service, request_id, charter, [(None, household, result, decided)])
    return _json_response(200 if decided else 422, content, charter.sha256, request_id)


async def route_batch(request: Request) -> Response:
    """POST /orienter/lot: a JSON array or JSON Lines of households → one result per item, in order."""
    service, request_id = _service(request), _request_id(request)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        charter = service.charter(request)
        body = await service.body(request)
        lines = media in JSON_LINES_TYPES or (media != _JSON and body.lstrip()[:1] != b"[")
        items = await run_in_threadpool(_json_lines if lines else _json_array, body)
        if len(items) > service.max_batch:
            raise Failed(413, error_body("lot_trop_grand", f"lot trop grand : au plus {service.max_batch} ménages "
                                      f"par requête ({len(items)} reçus)", limite=service.max_batch))
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256, request_id)
    content, logged = await run_in_threadpool(_route_items, service.outcomes(charter), items, lines)
    if service.journal is not None and logged:
        await run_in_threadpool(service.log, request_id, charter, logged)  # a batch's lines: away from the loop
    media_type = "application/x-ndjson" if lines else _JSON
    return _json_response(200, content, charter.sha256, request_id, media_type)


def _json_lines(body: bytes) -> list[tuple[int, object]]:
    """(line number, household or BadJson) for each non-blank line."""
    items: list[tuple[int, object]] = []
    for number, line in enumerate(body.split(b"\n"), 1):
        if line.strip():
            try:
                items.append((number, read_json(line)))
            except BadJson as error:
                items.append((number, error))
    return items


def _json_array(body: bytes) -> list[tuple[int, object]]:
    try:
        value = read_json(body)
    except BadJson as error:
        raise Failed(400, error_body("json_invalide", str(error))) from None
    if not isinstance(value, list):
        raise Failed(400, error_body("json_invalide", "un tableau JSON [ … ] de ménages est attendu (ou des "
                                  "lignes JSON, type application/x-ndjson)"))
    return list(enumerate(value, 1))


def _route_items(outcomes: _Outcomes, items: Sequence[tuple[int, object]], lines: bool):
    """The response's bytes, and what the log needs, for each item; one bad item fails only itself."""
    parts, logged = [], []
    for number, household in items:
        if isinstance(household, BadJson):
            parts.append(b'{"ligne":%d,"erreur":%s}' % (number, dumps(error_body("json_invalide", str(household)))))
            continue
        try:
            content, result, decided = outcomes.outcome(household)
        except InvalidHousehold as error:
            parts.append(b'{"ligne":%d,"erreur":%s}' % (number, dumps(invalid_body(error))))
            continue
        parts.append(b'{"ligne":%d,"%s":%s}' % (number, b"decision" if decided else b"erreur", content))
        logged.append((number, household, result, decided))
    if lines:
        return b"".join(part + b"\n" for part in parts), logged
    return b"[" + b",".join(parts) + b"]", logged


async def _log(service: Service, request_id: str, charter: Charter, items) -> None:
    if service.journal is not None and service.journal.sync:
        await run_in_threadpool(service.log, request_id, charter, items)  # fsync waits for the disk
    else:
        service.log(request_id, charter, items)


async def describe(request: Request) -> Response:
    """GET /charte: the charter in force (or at `?date=`): header, services, fields, rules."""
    return _about_charter(request, "charte", charter_description, _JSON)


async def schema(request: Request) -> Response:
    """GET /charte/schema: the JSON Schema (2020-12) of a household."""
    return _about_charter(request, "schema", household_schema, "application/schema+json")


def _about_charter(request: Request, kind: str, make, media_type: str) -> Response:
    service = _service(request)
    try:
        charter = service.charter(request)
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256)
    return _json_response(200, service.document(kind, charter, make), charter.sha256, media_type=media_type)


async def openapi(request: Request) -> Response:
    """GET /openapi.json: the OpenAPI 3.1 description, the household schema of today's charter embedded."""
    service = _service(request)
    charter = service.source.catalogue.current
    limits = {"max_body": service.max_body, "max_batch": service.max_batch}
    return _json_response(200, service.document("openapi", charter, lambda c: openapi_document(c, **limits)),
                          charter.sha256)


async def health(request: Request) -> Response:
    """GET /sante: what is served, since when, and the last refused new version with its errors."""
    service = _service(request)
    source = service.source
    catalogue = source.catalogue
    current = catalogue.current
    body = {
        "statut": "ok" if source.refused is None else "nouvelle_version_refusee",
        "charte": {"titre": current.title, "version": current.version, "sha256": current.sha256,
                   "fichiers": [str(f) for f in current.files]},
        "versions": [{"version": v.charter.version, "sha256": v.charter.sha256,
                      "validite": v.period.describe(), "fichier": str(v.period.path)}
                     for v in catalogue.versions],
        "chargee_le": source.loaded_at,
        "rechargements": source.reloads,
        "refusee": None if source.refused is None else source.refused.to_dict(),
        "journal": None if service.journal is None else str(service.journal.path),
    }
    return _json_response(200, dumps(body), current.sha256)


async def show_form(request: Request) -> Response:
    """GET / : the secretariat's form; POST / : its answer (the decision, or the errors by field)."""
    service = _service(request)
    try:
        charter = service.charter(request)  # today's version (or ?date=): never one not in force
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256)
    headers = {**_headers(charter.sha256, None), **form.HEADERS}
    if request.method == "GET":
        return Response(form.page(charter), media_type="text/html; charset=utf-8", headers=headers)
    request_id = _request_id(request)
    try:
        body = await service.body(request)
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), charter.sha256, request_id)
    submitted = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    answer = form.answer(charter, submitted)
    if service.journal is not None and answer.logged is not None:
        await _log(service, request_id, charter, [answer.logged])
    return Response(answer.html, status_code=answer.status, media_type="text/html; charset=utf-8",
                    headers={**headers, "x-request-id": request_id})


async def stylesheet(request: Request) -> Response:
    sha256 = _service(request).source.catalogue.current.sha256
    return Response(form.STYLESHEET, media_type="text/css; charset=utf-8",
                    headers={"cache-control": "public, max-age=3600", "x-charte-sha256": sha256})


# ---- errors that never show a stack trace ----
_STATUS = {404: ("introuvable", "chemin inconnu : voir /openapi.json"),
           405: ("methode_non_permise", "méthode non permise pour ce chemin")}


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code, message = _STATUS.get(error.status_code, ("erreur", "requête refusée"))
    sha256 = request.app.state.service.source.catalogue.current.sha256
    response = _json_response(error.status_code, dumps(error_body(code, message)), sha256)
    response.headers.update(error.headers or {})
    return response


async def _internal_error(request: Request, error: Exception) -> Response:
    sha256 = request.app.state.service.source.catalogue.current.sha256
    return _json_response(500, dumps(error_body("interne", "erreur interne du service ; la requête n'a pas abouti")),
                          sha256)


def create_app(charter: str | Path | Charter, *, journal: str | Path | None = None, journal_sync: bool = False,
               journal_facts: bool = True, reload_interval: float = 1.0, max_body: int = DEFAULT_MAX_BODY,
               max_batch: int = DEFAULT_MAX_BATCH, cors_origins: Sequence[str] = ()) -> Starlette:
    """The decision service as an ASGI application, to run with uvicorn or mount in another one.

    `charter` is a rule file, a folder of versions (the version in force is chosen per request) or
    a loaded Charter (then never reloaded). Files are watched every `reload_interval` seconds
    (0: never): new content is loaded and proven away from the requests and replaces the old one
    only if it is proven. `journal` names the decision log (JSON Lines; `journal_sync`: fsync
    before each response; `journal_facts`: False leaves the facts out). `max_body` (bytes) and
    `max_batch` (households per `/orienter/lot`) bound requests. `cors_origins` allows those
    origins to call the service from a browser (none by default). Raises CharterError (or
    RepartitionError) with French messages if the charter cannot be served.
    """
    service: Service | None = None

    def forget(catalogue: Catalogue) -> None:
        if service is not None:
            service.forget(catalogue)

    source = CharterSource(charter, interval=reload_interval, on_change=forget)
    log = DecisionLog(journal, sync=journal_sync, facts=journal_facts) if journal is not None else None
    service = Service(source, journal=log, max_body=max_body, max_batch=max_batch)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        source.start()
        try:
            yield
        finally:
            source.stop()
            if log is not None:
                log.close()

    routes = [  # the busiest first: Starlette tries them in turn
        Route("/orienter", route_one, methods=["POST"]),
        Route("/orienter/lot", route_batch, methods=["POST"]),
        Route("/", show_form, methods=["GET", "POST"]),
        Route("/static/formulaire.css", stylesheet),
        Route("/charte", describe),
        Route("/charte/schema", schema),
        Route("/openapi.json", openapi),
        Route("/sante", health),
    ]
    middleware = []
    if cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                                     allow_headers=["content-type", "x-request-id"],
                                     expose_headers=["x-charte-sha256", "x-request-id"]))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: _http_error, Exception: _internal_error})
    app.state.service = service
    return app
