"""The ledger API: purchases, campaigns and incidents in as JSON, and billing's "refunded" back.

Rows go through the same validation and loading as `refundbot import` (storage.ledger_import);
only the envelope differs: a JSON array of objects whose keys are the CSV columns. Every
request carries a bearer token from API_TOKENS, compared in constant time; without a known
token nothing is read, let alone written.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import models_json_schema

from bot.settings import Settings
from conversations.claims.lifecycle import Actor
from conversations.claims.transitions import Transition
from conversations.config import DeskConfig
from conversations.domain import Campaign, ClaimStatus, Incident
from conversations.services.staff import staff_act
from conversations.staff import stale
from storage.database import Database
from storage.ledger_import import ImportReport, LedgerKind, Record, columns_of, import_rows
from storage.ledger_rows import CampaignRow, IncidentRow, PurchaseRow

if TYPE_CHECKING:  # bot.bootstrap is the composition root; it builds what the API uses
    from bot.services import Services

log = logging.getLogger(__name__)

KINDS: tuple[LedgerKind, ...] = ("purchases", "campaigns", "incidents")
# One request is one batch of the CSV import: one transaction, a fraction of a second.
MAX_ROWS = 2_000
# 2,000 purchases with long e-mail addresses fit well inside this.
MAX_BODY_BYTES = 1024**2
BILLING = "billing"
READ_TIMEOUT_SECONDS = 10.0

_ROW_MODELS: dict[LedgerKind, type[PurchaseRow] | type[CampaignRow] | type[IncidentRow]] = {
    "purchases": PurchaseRow,
    "campaigns": CampaignRow,
    "incidents": IncidentRow,
}


class RowOutcome(BaseModel):
    """What became of one object of the request, by its position in the array (from 0)."""

    index: int
    id: str | None = None
    result: Literal["added", "updated", "unchanged", "rejected"]
    reason: str | None = None


class IngestResult(BaseModel):
    """The counts of an ingest and each row's outcome, in the request's order."""

    added: int
    updated: int
    unchanged: int
    rejected: int
    rows: list[RowOutcome]


class RefundedRequest(BaseModel):
    """Optional body of POST /api/v1/claims/{id}/refunded: who at billing paid it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    by: str | None = Field(default=None, min_length=1, max_length=80)


class RefundedResult(BaseModel):
    """The claim after the call; `changed` is false when it was marked refunded before."""

    claim_id: int
    status: str
    changed: bool


class ApiError(BaseModel):
    """Why a request was refused; `status` is the claim's status on a 409."""

    error: str
    status: str | None = None


FactsChanged = Callable[[LedgerKind, Sequence[Record]], Awaitable[None]]


class LedgerApi:
    """The API's routes; installed on a WebServer's application."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        tokens: Sequence[str],
        config: Callable[[], DeskConfig],
        *,
        wake: Callable[[], None] | None = None,
        facts_changed: FactsChanged | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self._tokens = [t.encode() for t in tokens if t]
        self._config = config
        self._wake = wake
        self.facts_changed = facts_changed

    def install(self, app: web.Application) -> None:
        for kind in KINDS:
            app.router.add_post(f"/api/v1/{kind}", self._ingest_handler(kind))
        app.router.add_post("/api/v1/claims/{claim_id}/refunded", self._refunded)
        app.router.add_get("/api/openapi.json", self._openapi)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return False
        presented = given.strip().encode("utf-8", "replace")
        # Every token is compared, so the time taken says nothing about which one nearly fit.
        found = False
        for token in self._tokens:
            found |= hmac.compare_digest(presented, token)
        return found

    async def _body(self, request: web.Request) -> bytes | web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _error(413, f"the body is larger than {MAX_BODY_BYTES:,} bytes")
        try:
            return await asyncio.wait_for(request.read(), READ_TIMEOUT_SECONDS)
        except TimeoutError:
            response = _error(408, "the body came too slowly")
            response.force_close()
            return response
        except web.HTTPException as exc:  # larger than the server's client_max_size
            return _error(exc.status, exc.reason)

    def _ingest_handler(
        self, kind: LedgerKind
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            return await self._ingest(kind, request)

        return handler

    async def _ingest(self, kind: LedgerKind, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return _unauthorised()
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        try:
            # Numbers are kept as written, as a CSV cell would give them: 0.1 stays "0.1".
            payload = json.loads(body, parse_float=str, parse_int=str)
        except ValueError:
            return _error(400, "the body is not JSON")
        if isinstance(payload, dict):
            payload = [payload]
        if not isinstance(payload, list):
            return _error(400, "expected a JSON array of objects")
        if len(payload) > MAX_ROWS:
            return _error(413, f"at most {MAX_ROWS:,} rows per request (got {len(payload):,})")
        report, early = await self.ingest(kind, payload)
        return web.json_response(_result(len(payload), report, early).model_dump())

    async def ingest(
        self, kind: LedgerKind, items: Sequence[Any]
    ) -> tuple[ImportReport, dict[int, str]]:
        """Load the items as rows of `kind`; also the reasons of items that are not rows at all."""
        columns = columns_of(kind)
        rows: list[tuple[int, dict[str, str]]] = []
        early: dict[int, str] = {}
        for index, item in enumerate(items):
            cells = _cells(item, columns)
            if isinstance(cells, str):
                early[index] = cells
            else:
                rows.append((index, cells))
        report = await import_rows(self.db, kind, rows, unit="item")
        if report.changed and self.facts_changed is not None:
            try:
                await self.facts_changed(kind, report.changed)
            except Exception as exc:  # the rows are in; the check is the staff's convenience
                log.warning("api: checking claims after new %s failed: %s", kind, exc)
        return report, early

    async def _refunded(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return _unauthorised()
        try:
            claim_id = int(request.match_info["claim_id"])
        except ValueError:
            return _error(404, "no such claim")
        body = await self._body(request)
        if isinstance(body, web.Response):
            return body
        try:
            asked = RefundedRequest.model_validate_json(body) if body.strip() else RefundedRequest()
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            return _error(400, f"{where}: {first['msg']}" if where else str(first["msg"]))
        name = BILLING if asked.by is None else f"{BILLING} ({asked.by})"
        now = self.clock()
        async with self.db.uow() as uow:
            claim = await uow.claims.get(claim_id)
            if claim is None:
                return _error(404, "no such claim")
            if claim.status is ClaimStatus.REFUNDED:
                return _refunded_json(claim_id, changed=False)
            result = await staff_act(
                uow, claim_id, Transition.REFUNDED, Actor(name, None), now, self._config()
            )
            if not result.ok:
                status = result.claim.status if result.claim else claim.status
                if status is ClaimStatus.REFUNDED:  # another call was first: harmless
                    return _refunded_json(claim_id, changed=False)
                return web.json_response(
                    ApiError(
                        error=f"claim #{claim_id} is {status.value}, not approved",
                        status=status.value,
                    ).model_dump(),
                    status=409,
                )
            await uow.commit()
        log.info("api: claim #%s marked refunded by billing", claim_id)
        if self._wake is not None:
            self._wake()  # the customer's message and the card's update are queued
        return _refunded_json(claim_id, changed=True)

    async def _openapi(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(openapi_document())


def _cells(item: Any, columns: Sequence[str]) -> dict[str, str] | str:
    """An object's values as CSV cells (a missing key or null is a blank cell); else why not."""
    if not isinstance(item, dict):
        return "not a JSON object"
    cells: dict[str, str] = {}
    for column in columns:
        value = item.get(column)
        if value is None:
            cells[column] = ""
        elif isinstance(value, str):
            cells[column] = value
        elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            cells[column] = str(value)
        else:  # true/false, an array or an object: no CSV cell reads as that
            return f"{column}: expected text or a number"
    return cells


def _result(count: int, report: ImportReport, early: dict[int, str]) -> IngestResult:
    rejected = {r.line: r.reason for r in report.rejected}
    rejected.update(early)
    rows: list[RowOutcome] = []
    for index in range(count):
        if index in rejected:
            rows.append(RowOutcome(index=index, result="rejected", reason=rejected[index]))
        elif index in report.results:
            key, result = report.results[index]
            rows.append(RowOutcome(index=index, id=key, result=result))
    return IngestResult(
        added=report.added,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=len(rejected),
        rows=rows,
    )


def _refunded_json(claim_id: int, *, changed: bool) -> web.Response:
    result = RefundedResult(claim_id=claim_id, status=ClaimStatus.REFUNDED.value, changed=changed)
    return web.json_response(result.model_dump())


def _error(status: int, why: str) -> web.Response:
    return web.json_response(ApiError(error=why).model_dump(), status=status)


def _unauthorised() -> web.Response:
    response = _error(401, "missing or unknown bearer token")
    response.headers["WWW-Authenticate"] = 'Bearer realm="refundbot"'
    return response


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document, its schemas generated from the models that validate."""
    models: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (PurchaseRow, "validation"),
        (CampaignRow, "validation"),
        (IncidentRow, "validation"),
        (RefundedRequest, "validation"),
        (IngestResult, "serialization"),
        (RefundedResult, "serialization"),
        (ApiError, "serialization"),
    ]
    _, top = models_json_schema(models, ref_template="#/components/schemas/{model}")
    schemas: dict[str, Any] = top.get("$defs", {})
    error = {"$ref": "#/components/schemas/ApiError"}

    def answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": schema}}}

    refused = {
        "401": answer("Missing or unknown bearer token; nothing was written", error),
        "413": answer(f"Body over {MAX_BODY_BYTES:,} bytes or over {MAX_ROWS:,} rows", error),
    }
    paths: dict[str, Any] = {}
    for kind, model in _ROW_MODELS.items():
        paths[f"/api/v1/{kind}"] = {
            "post": {
                "summary": f"Add or update {kind} (the columns of {kind}.csv)",
                "operationId": f"post_{kind}",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "maxItems": MAX_ROWS,
                                "items": {"$ref": f"#/components/schemas/{model.__name__}"},
                            }
                        }
                    },
                },
                "responses": {
                    "200": answer(
                        "Each row's outcome: added, updated, unchanged or rejected with why",
                        {"$ref": "#/components/schemas/IngestResult"},
                    ),
                    "400": answer("Not a JSON array", error),
                    **refused,
                },
            }
        }
    paths["/api/v1/claims/{claim_id}/refunded"] = {
        "post": {
            "summary": "Billing paid an approved claim: mark it refunded and tell the customer",
            "operationId": "post_refunded",
            "parameters": [
                {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "requestBody": {
                "required": False,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/RefundedRequest"}}
                },
            },
            "responses": {
                "200": answer(
                    "Refunded (changed false: it was already)",
                    {"$ref": "#/components/schemas/RefundedResult"},
                ),
                "404": answer("No such claim", error),
                "409": answer("The claim is not approved; its status is given", error),
                **refused,
            },
        }
    }
    paths["/api/openapi.json"] = {
        "get": {
            "summary": "This document",
            "operationId": "get_openapi",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI document"}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Refund desk ledger API", "version": "1"},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": paths,
    }


async def flag_stale(
    db: Database,
    now: datetime,
    config: DeskConfig,
    kind: LedgerKind,
    records: Sequence[Record],
) -> bool:
    """After new incidents or campaign counts: queue the staff list of decisions gone stale.

    True when a message was queued (the running bot's dispatcher sends it).
    """
    found_incidents = [r for r in records if isinstance(r, Incident)]
    found_campaigns = [r for r in records if isinstance(r, Campaign)]
    if config.staff_chat_id is None or not (found_incidents or found_campaigns):
        return False
    async with db.uow() as uow:
        if kind == "incidents":
            message = await stale.after_incidents(uow, found_incidents, now, config)
        else:
            message = await stale.after_campaigns(uow, found_campaigns, now, config)
        if message is None:
            return False
        await uow.outbox.put(message, now)
        await uow.commit()
    return True


def api_for(settings: Settings, services: Services) -> LedgerApi | None:
    """The API wired to the bot's services, or None when API_TOKENS is empty."""
    if not settings.api_tokens:
        return None

    async def changed(kind: LedgerKind, records: Sequence[Record]) -> None:
        if await flag_stale(services.db, services.clock(), services.desk.config, kind, records):
            services.dispatcher.wake()

    return LedgerApi(
        services.db,
        services.clock,
        [t.get_secret_value() for t in settings.api_tokens],
        lambda: services.desk.config,
        wake=services.dispatcher.wake,
        facts_changed=changed,
    )


if __name__ == "__main__":  # python -m bot.api > docs/openapi.json
    print(json.dumps(openapi_document(), indent=2, sort_keys=True))
