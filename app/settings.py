"""Settings from the environment (prefix ``BILANS_``), read once per process.

Embedded mode (the default) keeps everything under ``var/``: the SQLite file, the generated
secret key, the session files and the mail sink. Production sets ``BILANS_DATABASE_URL`` (PostgreSQL),
``BILANS_REDIS_URL`` and ``BILANS_SECRET_KEY``.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


RATE = re.compile(r"off|[1-9][0-9]*/(second|minute|hour|day)")


def rate_limit(value: str, *, scale: int = 1) -> tuple[str, int] | None:
    """``"20/minute"`` -> ``("minute", 20 * scale)``; ``"off"`` -> None (a validated setting)."""
    if value == "off":
        return None
    count, _, unit = value.partition("/")
    return unit, int(count) * scale


@dataclass(frozen=True, slots=True)
class Contact:
    """How participants reach the service: shown on public pages and in mails."""

    phone: str
    hours: str


class SettingsError(Exception):
    """A setting is wrong; the message is one line a person can act on."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BILANS_", extra="ignore")

    env: Literal["embedded", "production"] = "embedded"
    var_dir: Path = Field(default=ROOT / "var")
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str | None = Field(default=None, min_length=32)
    smtp_url: str | None = None
    mail_from: str = "Bilans Kariery <bilans@wup-krakow.example>"
    base_url: str = "http://127.0.0.1:8000"
    # The office participants call (pages, mails): data of the deployment, not of the templates.
    contact_phone: str = "12 424 07 00"
    contact_email: str = "bilans@wup-krakow.example"  # Reply-To of mails, ORGANIZER of .ics
    contact_hours: str = "poniedziałek–piątek, 8:00–16:00"
    debug: bool = False
    # Abuse limits: "N/second|minute|hour|day" or "off" (benchmarks). Bookings: public POSTs
    # and DELETEs per client; feeds: per feed address, and ten times that per client.
    booking_rate_limit: str = "20/minute"
    feed_rate_limit: str = "60/minute"
    # The reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: addresses or
    # networks, comma-separated ("10.0.0.2,10.1.0.0/16"). Empty: none, so the client address
    # (the rate limits' key) is the connection's own and no header can change it.
    trusted_proxies: str = ""
    # Prometheus: with a token, /metrics answers `Authorization: Bearer <token>` only; without
    # one, only clients on this machine.
    metrics_token: str | None = None
    # GDPR retention (scheduling.privacy): a participant whose every case closed (and every
    # meeting passed) this many months ago is anonymised by the daily retention job. 60 months:
    # the five years EU-funded projects keep their documents (Art. 82 of Regulation 2021/1060).
    retention_months: int = Field(default=60, ge=1, le=600)

    @field_validator("redis_url", "smtp_url", "secret_key", "metrics_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if item:
                ipaddress.ip_network(item, strict=False)  # ValueError names the bad one
        return value

    def proxies(self) -> list[str]:
        return [part.strip() for part in self.trusted_proxies.split(",") if part.strip()]

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("use sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("use redis://host:port/db")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("smtp://", "smtps://")):
            raise ValueError("use smtp://user:password@host:port or smtps://...")
        return value

    @field_validator("booking_rate_limit", "feed_rate_limit")
    @classmethod
    def _rate(cls, value: str) -> str:
        if not RATE.fullmatch(value):
            raise ValueError(
                'use a count per unit, e.g. "20/minute" (second, minute, hour, day), or off'
            )
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_needs(self) -> Settings:
        if self.env == "production":
            if not self.secret_key:
                raise ValueError("BILANS_SECRET_KEY is required in production (32+ characters)")
            if not self.database_url.startswith("postgresql"):
                raise ValueError("production needs BILANS_DATABASE_URL=postgresql+asyncpg://...")
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir / 'bilans.sqlite3'}"

    @property
    def contact(self) -> Contact:
        return Contact(phone=self.contact_phone, hours=self.contact_hours)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def secret(self) -> str:
        """The configured secret, or one generated once into ``var/secret_key`` (embedded mode)."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings() -> Settings:
    """Read the settings; a bad one raises :class:`SettingsError` with one clear line."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        name = f"BILANS_{field.upper()}" if first["loc"] else "settings"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Bad setting {name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
