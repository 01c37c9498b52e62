"""Settings from the environment and an optional .env file, checked once at start."""

from __future__ import annotations

import difflib
import io
import os
import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from conversations import policy_numbers, support_hours
from conversations.config import DeskConfig

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./refundbot.db"
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"

# Names an operator is likely to mistype; an unknown variable with one of these prefixes is
# almost certainly a typo of ours, not some other program's.
_OUR_PREFIXES = (
    "TELEGRAM_",
    "STAFF_",
    "WEBHOOK_",
    "DATABASE_",
    "HOME_",
    "PK_",
    "REFUNDBOT_",
    "METRICS_",
    "SEND_",
    "REDIS_",
    "API_",
    "EVENTS_",
    "REFUND_",
    "REPORT_",
    "PROCESSING_",
)
# Settings that were renamed: the old name gets a pointer to the new one.
_RENAMED = {"TELEGRAM_SENDS_PER_SECOND": "SEND_RATE_PER_SECOND"}
# Without one of our prefixes, only a name this close to one of ours counts as a typo.
_TYPO_CUTOFF = 0.85
DEFAULT_ENV_FILE = Path(".env")
# What Telegram accepts as a webhook's secret_token (setWebhook).
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The password part of scheme://user:password@host, for masking.
# Up to the last @ of the URL: an unencoded password may itself hold '@' or '/'.
_URL_PASSWORD = re.compile(r"(://[^/:@\s]*:)\S*@")
# Pydantic's messages for a wrong type, in the words of the setting's example.
_PLAIN_TYPE_ERRORS = {
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
}
_EXAMPLES = {
    "STAFF_CHAT_ID": "expected the staff group's numeric chat id, like -1001234567890",
}
# A bearer token shorter than this is guessable.
MIN_TOKEN_LENGTH = 16


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        # A shared .env (docker compose) holds other programs' names too; load_settings
        # rejects only the ones that look like a typo of ours.
        extra="ignore",
    )

    telegram_bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # The PostgreSQL password as it is, any characters (docker compose's POSTGRES_PASSWORD);
    # it is put into DATABASE_URL URL-encoded, so the URL itself needs none.
    database_password: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    staff_chat_id: int | None = None
    staff_user_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    home_country: str = "PK"
    pk_suspension_notice: bool = True
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    idle_timeout_minutes: int = Field(default=30, ge=1)
    untaken_reminder_minutes: int = Field(default=60, ge=1)
    staff_cards_per_minute: int = Field(default=12, ge=1)
    # Shown to customers whose question is outside the refund desk, e.g. "sales@example.pk".
    support_contact: str = Field(default="", max_length=200)
    # When staff answer, in the home country's time zone, e.g. "Mon-Fri 09:00-18:00".
    support_hours: str = ""
    log_level: str = "INFO"
    log_format: str = "text"
    # For the whole deployment, shared by its workers: Telegram allows about 30 messages a
    # second, up to 1,000 with paid broadcasts. 0 turns all pacing off (benchmarks only).
    send_rate_per_second: float = Field(default=30, ge=0, le=1000)
    # Shares the send rate between workers; without it PostgreSQL does, or one process alone.
    redis_url: SecretStr | None = None
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Where METRICS_PORT listens in polling mode: this host only, unless set (e.g. 0.0.0.0).
    metrics_listen: str = "127.0.0.1"
    # A customer sees "typing…" when a turn takes longer than this (0: on every turn).
    typing_after_ms: int = Field(default=800, ge=0, le=10_000)
    # How often each worker looks for a newer FAQ model in the database (one small query).
    faq_model_check_seconds: float = Field(default=30, gt=0, le=3600)
    # Phrasings taught in the staff chat are learnt by a retrain at most this often (when
    # some wait, and the train extra is installed); 0: as soon as the next check sees them.
    faq_retrain_minutes: float = Field(default=60, ge=0)
    # The operator's FAQ answers, English and Urdu, instead of the shipped ones (checked here,
    # so a broken file stops the start with the reason): docs/faq-teaching.md.
    faq_answers_file: Path | None = None

    @field_validator("faq_answers_file")
    @classmethod
    def _check_faq_answers(cls, value: Path | None) -> Path | None:
        if value is not None:
            from conversations.faq.overrides import load_answers

            load_answers(value)
        return value

    # Bearer tokens of the ledger API, comma-separated (several, so one can be rotated out);
    # the API is off when empty.
    api_tokens: Annotated[tuple[SecretStr, ...], NoDecode] = ()
    # Where the API listens in polling mode (on WEBHOOK_LISTEN); webhook mode uses its port.
    api_port: int | None = Field(default=None, ge=1, le=65535)
    # Claim events go to billing here, signed with EVENTS_SECRET; off when empty.
    events_url: str = ""
    events_secret: SecretStr | None = None
    # The policy's numbers; the defaults are the published policy's.
    refund_window_hours: int = Field(default=48, ge=1, le=24 * 366)
    report_window_hours: int = Field(default=24, ge=1, le=24 * 366)
    processing_days: str = "5-7"

    @field_validator("processing_days")
    @classmethod
    def _processing_days(cls, value: str) -> str:
        first, last = policy_numbers.parse_days(value)
        return f"{first}-{last}"

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _split_tokens(cls, value: Any) -> Any:
        if isinstance(value, str):
            tokens = tuple(SecretStr(p.strip()) for p in value.split(",") if p.strip())
            if any(len(t.get_secret_value()) < MIN_TOKEN_LENGTH for t in tokens):
                raise ValueError(
                    f"each token needs at least {MIN_TOKEN_LENGTH} characters "
                    "(e.g. from `openssl rand -hex 32`)"
                )
            return tokens
        return value

    @field_validator("api_port", mode="before")
    @classmethod
    def _empty_api_port_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("events_url")
    @classmethod
    def _events_url(cls, value: str) -> str:
        url = value.strip()
        if url and not url.startswith(("https://", "http://")):
            raise ValueError("expected an http:// or https:// URL")
        return url

    @field_validator("events_secret", mode="before")
    @classmethod
    def _empty_secret_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    # Privacy (docs/privacy.md): days a sent text, an FAQ miss, a closed claim's free text stay.
    outbox_text_days: int = Field(default=7, ge=1)
    faq_misses_days: int = Field(default=90, ge=1)
    closed_claim_days: int = Field(default=365, ge=1)

    @field_validator("staff_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(
                    f"expected comma-separated numeric Telegram user ids, got {bad[0]!r}"
                )
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _empty_chat_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not _WEBHOOK_SECRET.fullmatch(value):
            raise ValueError(
                "Telegram accepts 1 to 256 characters, each A-Z, a-z, 0-9, _ or - "
                "(e.g. from: openssl rand -hex 32)"
            )
        return value

    @field_validator("home_country")
    @classmethod
    def _country(cls, value: str) -> str:
        import holidays

        code = value.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"expected an ISO 3166 alpha-2 code like PK, got {value!r}")
        try:
            # Loads one country's calendar; list_supported_countries() would load them all.
            holidays.country_holidays(code)
        except NotImplementedError:
            raise ValueError(f"no public-holiday calendar for {code!r}") from None
        return code

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db"
            )
        authority = value.split("://", 1)[1]
        if value.startswith("postgresql") and (
            authority.count("@") > 1 or "@" in authority.split("/", 1)[-1]
        ):
            raise ValueError(
                "the password holds '/' or '@'; write them URL-encoded (%2F, %40) or leave "
                "the password out and set DATABASE_PASSWORD"
            )
        return value

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        password = self.database_password.get_secret_value() if self.database_password else ""
        if password and self.database_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            url = make_url(self.database_url).set(password=password)
            self.database_url = url.render_as_string(hide_password=False)
        return self

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        local = value.startswith(("http://127.0.0.1", "http://localhost"))
        if value and not value.startswith("https://") and not local:
            raise ValueError("Telegram only delivers webhooks to an https:// URL")
        return value

    @field_validator("redis_url", mode="before")
    @classmethod
    def _redis_url(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:6379/0 (or rediss:// or unix://)")
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _empty_port_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("support_hours")
    @classmethod
    def _support_hours(cls, value: str) -> str:
        if value.strip():
            support_hours.parse(value, "UTC")  # the format; the zone comes from HOME_COUNTRY
        return value.strip()

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        fmt = value.strip().lower()
        if fmt not in {"text", "json"}:
            raise ValueError("expected text or json")
        return fmt

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def time_zone(self) -> str:
        """HOME_COUNTRY's time zone: people (customers, staff, operators) read moments in it."""
        return _zone_of(self.home_country)

    def desk_config(self) -> DeskConfig:
        """The core's settings; also makes the policy's numbers the ones the rules read."""
        first, last = policy_numbers.parse_days(self.processing_days)
        policy_numbers.configure(
            policy_numbers.PolicyNumbers(
                self.refund_window_hours, self.report_window_hours, first, last
            )
        )
        return DeskConfig(
            home_country=self.home_country,
            pk_suspension_notice=self.pk_suspension_notice,
            idle_timeout_minutes=self.idle_timeout_minutes,
            staff_chat_id=self.staff_chat_id,
            staff_user_ids=self.staff_user_ids,
            untaken_reminder_minutes=self.untaken_reminder_minutes,
            staff_cards_per_minute=self.staff_cards_per_minute,
            support_contact=self.support_contact.strip(),
            time_zone=self.time_zone,
            support_hours=(
                support_hours.parse(self.support_hours, self.time_zone)
                if self.support_hours
                else None
            ),
            refund_window_hours=self.refund_window_hours,
            report_window_hours=self.report_window_hours,
            processing_days=(first, last),
            outbox_text_days=self.outbox_text_days,
            faq_misses_days=self.faq_misses_days,
            closed_claim_days=self.closed_claim_days,
        )


def _known_names() -> list[str]:
    return [name.upper() for name in Settings.model_fields]


def _typo_of_ours(name: str) -> tuple[bool, str | None]:
    """Whether an unknown name looks meant for us, and the setting it was probably meant as."""
    upper = name.upper()
    if upper in _RENAMED:
        return True, _RENAMED[upper]
    known = _known_names()
    guess = difflib.get_close_matches(upper, known, n=1)
    if upper.startswith(_OUR_PREFIXES):
        return True, guess[0] if guess else None
    close = difflib.get_close_matches(upper, known, n=1, cutoff=_TYPO_CUTOFF)
    return bool(close), close[0] if close else None


def typo_warnings(environ: dict[str, str] | None = None) -> list[str]:
    """Environment variables that look like ours but are not; each one line."""
    env = os.environ if environ is None else environ
    known = _known_names()
    warnings = []
    for name in sorted(env):
        if name.upper() in known:
            continue
        ours, guess = _typo_of_ours(name)
        if ours:
            hint = f" (did you mean {guess}?)" if guess else ""
            warnings.append(f"Unknown setting {name} is ignored{hint}.")
    return warnings


def _check_env_file(path: Path) -> None:
    """Refuse a .env that cannot be read or that misspells one of our names."""
    from dotenv import dotenv_values

    if not path.is_file():
        return
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SettingsError(f"Cannot read {path}: {exc.strerror}.") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"{path} is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8."
        ) from None
    known = _known_names()
    for name in dotenv_values(stream=io.StringIO(text)):
        if name.upper() in known:
            continue
        ours, guess = _typo_of_ours(name)
        if ours:
            hint = f" Did you mean {guess}?" if guess else ""
            raise SettingsError(f"Unknown setting {name} in {path}.{hint}")


def load_settings(env_file: Path | None = None) -> Settings:
    """Read settings, turning any problem into one SettingsError line that names the setting."""
    path = DEFAULT_ENV_FILE if env_file is None else env_file
    _check_env_file(path)
    try:
        return Settings(_env_file=path)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] in _PLAIN_TYPE_ERRORS:
            message = _EXAMPLES.get(name, _PLAIN_TYPE_ERRORS[error["type"]])
        raw = error.get("input")
        secret = name in {
            "TELEGRAM_BOT_TOKEN",
            "WEBHOOK_SECRET",
            "REDIS_URL",
            "DATABASE_PASSWORD",
            "API_TOKENS",
            "EVENTS_SECRET",
        }
        shown = "" if secret or repr(raw) in message else f" (got {raw!r})"
        line = f"Setting {name} is invalid: {message}{shown}"
        raise SettingsError(mask_url_password(line)) from None


def mask_url_password(text: str) -> str:
    """The text with the password of any scheme://user:password@host in it replaced by ***."""
    return _URL_PASSWORD.sub(r"\1***@", text)


def _zone_of(country: str) -> str:
    """The country's (first) time zone, from Babel's data; UTC when it knows none."""
    from babel.core import get_global

    zones = get_global("territory_zones").get(country.upper()) or ["UTC"]
    return str(zones[0])
