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
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from ..batch.readers import BadJson, read_json
from ..charter import Charter
from ..errors import InvalidHousehold, RepartitionError
from ..schema import charter_description, household_schema
from ..versions import read_day
from . import form
from .answers import Answers
from .catalogue import Catalogue, CharterSource
from .journal import DecisionLog, log_lines
from .openapi import openapi_document
from .payloads import Failed, dumps, error_body, invalid_body

__all__ = ["create_app", "Service", "DEFAULT_MAX_BODY", "DEFAULT_MAX_BATCH", "JSON_LINES_TYPES"]

#: Largest request body accepted, in bytes (413 beyond).
DEFAULT_MAX_BODY = 16 * 1024 * 1024
#: Most households in one `POST /orienter/lot` (413 beyond).
DEFAULT_MAX_BATCH = 10_000
#: Media types of JSON Lines (any other body of `/orienter/lot` is read as a JSON array).
JSON_LINES_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines",
                    "application/json-lines", "application/jsonlines")

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_JSON = "application/json"


class Service:
    """What the application serves: the charters (hot-reloaded), the decision log and the limits."""

    def __init__(self, source: CharterSource, *, journal: DecisionLog | None, max_body: int, max_batch: int):
        self.source = source
        self.journal = journal
        self.max_body = max_body
        self.max_batch = max_batch
        self._answers: dict[int, Answers] = {}
        self._documents: dict[tuple[str, str], bytes] = {}

    def answers(self, charter: Charter) -> Answers:
        found = self._answers.get(id(charter))
        if found is None or found.charter is not charter:
            found = self._answers[id(charter)] = Answers(charter)
        return found

    def forget(self, catalogue: Catalogue) -> None:
        """A new catalogue is served: drop what was kept for charters no longer in it."""
        kept = {id(v.charter) for v in catalogue.versions}
        for key in list(self._answers):  # a snapshot: requests may add to it meanwhile
            if key not in kept:
                self._answers.pop(key, None)
        self._documents.clear()

    def document(self, kind: str, charter: Charter, make) -> bytes:
        """A JSON document about a charter (description, schema, OpenAPI), made once per charter."""
        key = (kind, charter.sha256)
        found = self._documents.get(key)
        if found is None:
            found = self._documents[key] = dumps(make(charter))
        return found

    # ---- choosing the charter ----
    def charter(self, date: str | None) -> Charter:
        """The charter for a request: the version in force at its `?date=` (given here), or today's."""
        catalogue = self.source.catalogue
        if date is None:
            try:
                return catalogue.charter_for()
            except RepartitionError as error:
                raise Failed(422, error_body("hors_vigueur", str(error))) from None
        try:
            day = read_day(date)
        except RepartitionError as error:
            raise Failed(400, error_body("date_invalide", str(error))) from None
        try:
            return catalogue.charter_for(day)
        except RepartitionError as error:
            raise Failed(422, error_body("hors_vigueur", str(error))) from None

    # ---- reading requests ----
    async def body(self, receive: Receive, declared: str | None) -> bytes:
        """The request's body read from ASGI's `receive` (`declared`: its Content-Length header),
        refused (413) past the size limit without reading it all."""
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise Failed(413, self._too_large())
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise Failed(413, self._too_large())
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> dict[str, Any]:
        return error_body("trop_grand", f"requête trop grande : au plus {self.max_body} octets", limite=self.max_body)

    # ---- the log ----
    def log_lines(self, request_id: str, charter: Charter,
                  items: Sequence[tuple[int | None, object, bytes, bytes | None]]) -> bytes:
        """The log's lines for decisions and refusals (not unreadable households): see `journal.log_lines`."""
        assert self.journal is not None
        return log_lines(request=request_id, sha256=charter.sha256, version=charter.version, facts=self.journal.facts,
                         items=items)


def _request_id(given: str | None) -> str:
    """The client's X-Request-Id if it is a plain one, else a new one."""
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
class RouteOne:
    """POST /orienter: one household (a JSON object) → its decision.

    The busiest path, written against ASGI itself (Starlette routes to it, its middleware wraps
    it): one pass over the headers, no Request or Response object."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service: Service = scope["app"].state.service
        service.source.start()  # mounted in another application, whose lifespan does not reach ours
        declared = given = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                declared = value.decode("latin-1")
            elif name == b"x-request-id":
                given = value.decode("latin-1")
        request_id = _request_id(given)
        try:
            charter = service.charter(_date(scope["query_string"]))
            body = await service.body(receive, declared)
            try:
                household = read_json(body)
            except BadJson as error:
                raise Failed(400, error_body("json_invalide", str(error))) from None
            try:
                content, decided, logged, facts = service.answers(charter).answer(household)
            except InvalidHousehold as error:
                raise Failed(422, invalid_body(error)) from None
        except Failed as failure:
            await _send_json(send, failure.status, dumps(failure.body), service.source.catalogue.current.sha256,
                             request_id)
            return
        if service.journal is not None:
            await _log(service, request_id, charter, [(None, household, logged, facts)])
        await _send_json(send, 200 if decided else 422, content, charter.sha256, request_id)


def _date(query: bytes) -> str | None:
    """`date` in a query string, as Starlette reads it (the last one given)."""
    return dict(parse_qsl(query.decode("latin-1"), keep_blank_values=True)).get("date") if query else None


async def _send_json(send: Send, status: int, content: bytes, sha256: str, request_id: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", b"%d" % len(content)), (b"content-type", b"application/json"),
                            (b"x-charte-sha256", sha256.encode()), (b"x-request-id", request_id.encode())]})
    await send({"type": "http.response.body", "body": content})


async def route_batch(request: Request) -> Response:
    """POST /orienter/lot: a JSON array or JSON Lines of households → one result per item, in order."""
    service, request_id = _service(request), _request_id(request.headers.get("x-request-id"))
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        charter = service.charter(request.query_params.get("date"))
        body = await service.body(request.receive, request.headers.get("content-length"))
        lines = media in JSON_LINES_TYPES or (media != _JSON and body.lstrip()[:1] != b"[")
        items = await run_in_threadpool(_json_lines if lines else _json_array, body)
        if len(items) > service.max_batch:
            raise Failed(413, error_body("lot_trop_grand", f"lot trop grand : au plus {service.max_batch} ménages "
                                      f"par requête ({len(items)} reçus)", limite=service.max_batch))
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256, request_id)
    content, logged = await run_in_threadpool(_route_items, service.answers(charter), items, lines)
    if service.journal is not None and logged:
        # a batch's lines: made and written away from the loop
        await run_in_threadpool(service.journal.write, service.log_lines(request_id, charter, logged))
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


def _route_items(answers: Answers, items: Sequence[tuple[int, object]], lines: bool):
    """The response's bytes, and what the log needs of each decision and refusal; one bad item fails
    only itself."""
    parts, logged = [], []
    answer = answers.answer
    for number, household in items:
        if isinstance(household, BadJson):
            parts.append(b'{"ligne":%d,"erreur":%s}' % (number, dumps(error_body("json_invalide", str(household)))))
            continue
        try:
            content, decided, members, facts = answer(household)
        except InvalidHousehold as error:
            parts.append(b'{"ligne":%d,"erreur":%s}' % (number, dumps(invalid_body(error))))
            continue
        parts.append(b'{"ligne":%d,"%s":%s}' % (number, b"decision" if decided else b"erreur", content))
        logged.append((number, household, members, facts))
    if lines:
        return b"".join(part + b"\n" for part in parts), logged
    return b"[" + b",".join(parts) + b"]", logged


async def _log(service: Service, request_id: str, charter: Charter, logged) -> None:
    """Write one request's log lines: on the event loop (one short append), or away from it when
    the log syncs (fsync waits for the disk)."""
    journal = service.journal
    assert journal is not None
    lines = service.log_lines(request_id, charter, logged)
    if journal.sync:
        await run_in_threadpool(journal.write, lines)
    else:
        journal.write(lines)


async def describe(request: Request) -> Response:
    """GET /charte: the charter in force (or at `?date=`): header, services, fields, rules."""
    return _about_charter(request, "charte", charter_description, _JSON)


async def schema(request: Request) -> Response:
    """GET /charte/schema: the JSON Schema (2020-12) of a household."""
    return _about_charter(request, "schema", household_schema, "application/schema+json")


def _about_charter(request: Request, kind: str, make, media_type: str) -> Response:
    service = _service(request)
    try:
        charter = service.charter(request.query_params.get("date"))
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
        # today's version (or ?date=): never one not in force
        charter = service.charter(request.query_params.get("date"))
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), service.source.catalogue.current.sha256)
    headers = {**_headers(charter.sha256, None), **form.HEADERS}
    if request.method == "GET":
        return Response(form.page(charter), media_type="text/html; charset=utf-8", headers=headers)
    request_id = _request_id(request.headers.get("x-request-id"))
    try:
        body = await service.body(request.receive, request.headers.get("content-length"))
    except Failed as failure:
        return _json_response(failure.status, dumps(failure.body), charter.sha256, request_id)
    submitted = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    answer = form.answer(charter, submitted)
    if service.journal is not None and answer.logged is not None:
        _, _, members, facts = service.answers(charter).answer(answer.logged)
        await _log(service, request_id, charter, [(None, answer.logged, members, facts)])
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
        Route("/orienter", RouteOne(), methods=["POST"]),
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
