"""One CSV row of each ledger file, validated; errors read as short reasons for the operator."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar, Self

import phonenumbers
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from conversations.domain import Campaign, Incident, Kind, Purchase
from conversations.ownership import normalise_phone

DEFAULT_PHONE_REGION = "PK"
COUNTRIES: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS)
SCOPES_BESIDES_COUNTRIES = ("all", "international")
KINDS: frozenset[str] = frozenset(k.value for k in Kind)
# Ids are shown to staff, matched against what customers type and exported to finance.
MAX_ID_LENGTH = 64


class RowError(ValueError):
    """A row that cannot be loaded; str() is the reason shown to the operator."""


def parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError("empty")
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"bad date {text!r} (expected ISO 8601, e.g. 2025-03-01T14:30:00+05:00)"
            ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("time has no UTC offset (add e.g. +05:00 or Z)")
    return parsed.astimezone(UTC)


def identifier(value: str) -> str:
    """An id as the ledger gives it: printable, one line, at most 64 characters."""
    if len(value) > MAX_ID_LENGTH:
        raise ValueError(f"longer than {MAX_ID_LENGTH} characters ({len(value):,})")
    if not value.isprintable():
        raise ValueError("contains a control character (a tab, line break or NUL byte)")
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError(f"unknown country {value.strip()!r} (expected ISO code, e.g. PK)")
    return code


class _Row(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=True,
        str_min_length=1,
        frozen=True,
        extra="ignore",
        allow_inf_nan=False,
    )
    columns: ClassVar[tuple[str, ...]]
    key: ClassVar[str]

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> Self:
        for column, value in raw.items():
            # PostgreSQL refuses NUL in text; say where, instead of failing the whole batch.
            if isinstance(value, str) and "\x00" in value:
                raise RowError(f"{column}: contains a NUL byte")
        try:
            return cls.model_validate(raw)
        except ValidationError as error:
            raise RowError(_reason(error)) from None


class PurchaseRow(_Row):
    columns = (
        "transaction_id",
        "account_id",
        "account_phone",
        "account_email",
        "purchased_at",
        "kind",
        "credits",
        "credits_used",
        "amount",
        "currency",
    )
    key = "transaction_id"

    transaction_id: str
    account_id: str
    # C-OWNER needs one of the two; real ledgers often lack the e-mail.
    account_phone: str | None = None
    account_email: str | None = None
    purchased_at: datetime
    kind: str
    credits: int
    credits_used: int
    amount: Decimal = Field(max_digits=18, decimal_places=4)
    currency: str

    _time = field_validator("purchased_at", mode="before")(parse_time)
    _ids = field_validator("transaction_id", "account_id")(identifier)
    _optional = field_validator("account_phone", "account_email", mode="before")(_blank_is_none)

    @field_validator("account_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        e164 = normalise_phone(value, DEFAULT_PHONE_REGION)
        if e164 is None:
            raise ValueError(f"not a phone number: {value[:40]!r}")
        return e164

    @field_validator("account_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "@" not in value or value.startswith("@") or value.endswith("@") or len(value) > 254:
            raise ValueError(f"not an e-mail address: {value[:80]!r}")
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        kind = value.lower()
        if kind not in KINDS:
            raise ValueError(f"unknown kind {value!r} (expected package or subscription)")
        return kind

    @field_validator("credits", "credits_used", "amount")
    @classmethod
    def _not_negative(cls, value: int | Decimal) -> int | Decimal:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError(f"not a currency code: {value!r} (expected e.g. PKR)")
        return value.upper()

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.account_phone is None and self.account_email is None:
            raise ValueError(
                "account_phone and account_email are both empty "
                "(one is needed to prove the purchase is the customer's)"
            )
        return self

    @model_validator(mode="after")
    def _used_within_bought(self) -> Self:
        if self.credits_used > self.credits:
            raise ValueError(
                f"credits_used ({self.credits_used}) is more than credits ({self.credits})"
            )
        return self

    def domain(self) -> Purchase:
        return Purchase(
            transaction_id=self.transaction_id,
            account_id=self.account_id,
            account_phone=self.account_phone or "",
            account_email=self.account_email or "",
            purchased_at=self.purchased_at,
            kind=Kind(self.kind),
            credits=self.credits,
            credits_used=self.credits_used,
            amount=self.amount,
            currency=self.currency,
        )


class CampaignRow(_Row):
    columns = (
        "campaign_id",
        "transaction_id",
        "sent_at",
        "destination_country",
        "messages_sent",
        "delivered",
        "failed_platform",
        "failed_carrier",
    )
    key = "campaign_id"

    campaign_id: str
    transaction_id: str
    sent_at: datetime
    destination_country: str
    messages_sent: int
    delivered: int
    failed_platform: int
    failed_carrier: int

    _time = field_validator("sent_at", mode="before")(parse_time)
    _country = field_validator("destination_country")(country)
    _ids = field_validator("campaign_id", "transaction_id")(identifier)

    @field_validator("messages_sent", "delivered", "failed_platform", "failed_carrier")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must not be negative")
        return value

    @model_validator(mode="after")
    def _counts_add_up(self) -> Self:
        accounted = self.delivered + self.failed_platform + self.failed_carrier
        if accounted > self.messages_sent:
            raise ValueError(
                f"delivered + failed_platform + failed_carrier ({accounted}) "
                f"is more than messages_sent ({self.messages_sent})"
            )
        return self

    def domain(self) -> Campaign:
        return Campaign(
            campaign_id=self.campaign_id,
            transaction_id=self.transaction_id,
            sent_at=self.sent_at,
            destination_country=self.destination_country,
            messages_sent=self.messages_sent,
            delivered=self.delivered,
            failed_platform=self.failed_platform,
            failed_carrier=self.failed_carrier,
        )


class IncidentRow(_Row):
    columns = ("incident_id", "started_at", "ended_at", "scope", "description")
    key = "incident_id"

    incident_id: str
    started_at: datetime
    ended_at: datetime | None = None
    scope: str
    description: str | None = None

    _started = field_validator("started_at", mode="before")(parse_time)
    _ids = field_validator("incident_id")(identifier)

    @field_validator("ended_at", mode="before")
    @classmethod
    def _ended(cls, value: Any) -> datetime | None:
        blank = value is None or (isinstance(value, str) and not value.strip())
        return None if blank else parse_time(value)

    @field_validator("description", mode="before")
    @classmethod
    def _description(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        if value.lower() in SCOPES_BESIDES_COUNTRIES:
            return value.lower()
        if value.upper() in COUNTRIES:
            return value.upper()
        raise ValueError(f"unknown scope {value!r} (expected all, international or a country code)")

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError("ended_at is before started_at")
        return self

    def domain(self) -> Incident:
        return Incident(
            incident_id=self.incident_id,
            started_at=self.started_at,
            ended_at=self.ended_at,
            scope=self.scope,
            description=self.description or "",
        )


_SHORT = {
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
    "float_parsing": "not a number",
    "finite_number": "not a number",
}


def _reason(error: ValidationError) -> str:
    """The first problem of a row, as "column: what is wrong" (or just what, for cross-checks)."""
    first = error.errors(include_url=False)[0]
    column = ".".join(str(part) for part in first["loc"])
    given = first.get("input")
    if column and (given is None or (isinstance(given, str) and not given.strip())):
        message = "empty"
    elif first["type"] in _SHORT:
        message = f"{_SHORT[first['type']]}: {given!r}"
    else:
        message = str(first["msg"]).removeprefix("Value error, ")
    return f"{column}: {message}" if column else message
