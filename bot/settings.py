"""Settings from the environment and `.env`. Secrets are SecretStr so they never reach a log line."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.conversation.channel_names import CHANNEL_NAMES, TELEGRAM, ZALO
from bot.conversation.numbers import whole_number
from bot.errors import StartupError

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(StartupError):
    """A setting cannot be used; one line per setting, naming it and what it accepts."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///data/thidua.db"
    data_dir: Path = Path("data")
    campaign_file: Path = Path("config/dong-thap.yaml")
    log_level: str = "INFO"
    # Message text in the log (at DEBUG), for an operator tracing a conversation; off, no one's words are logged.
    message_tracing: bool = False

    draft_stale_days: float = Field(default=7, gt=0)
    # Phone numbers are removed from drafts untouched this long and from messages sent this long ago.
    phone_retention_days: float = Field(default=30, gt=0)
    max_file_mb: float = Field(default=10, gt=0, le=20)
    max_files: int = Field(default=5, ge=0, le=10)

    # Administrators by configuration: comma-separated user ids per messenger.
    admin_telegram_ids: str = ""
    admin_zalo_ids: str = ""
    # The secretariat's shared chats (a Telegram group, say) that get digests and nominations to review, as
    # comma-separated channel:chat_id, e.g. "telegram:-1001234567890". People holding the secretariat role
    # get them in their own chats as well.
    secretariat_chats: str = ""

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8443, ge=0, le=65535)
    # A self-hosted Bot API server started with --local hands out files as paths on its own disk.
    telegram_local_mode: bool = False
    # Updates handled at once across users; one user's updates always go one after another.
    telegram_concurrent_updates: int = Field(default=32, ge=1, le=1024)

    @field_validator(
        "telegram_bot_token", "telegram_api_base_url", "telegram_webhook_url", "telegram_webhook_secret", mode="before"
    )
    @classmethod
    def _blank_telegram_is_unset(cls, value: Any) -> Any:
        # `TELEGRAM_BOT_TOKEN=` left empty in a copied .env.example means "not using Telegram".
        return None if isinstance(value, str) and not value.strip() else value

    zalo_bot_token: SecretStr | None = None
    zalo_api_base_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_listen: str = "127.0.0.1"
    zalo_webhook_port: int = Field(default=8444, ge=0, le=65535)

    @field_validator("zalo_bot_token", "zalo_webhook_url", "zalo_webhook_secret", mode="before")
    @classmethod
    def _blank_zalo_is_unset(cls, value: Any) -> Any:
        # `ZALO_BOT_TOKEN=` left empty in a copied .env.example means "not using Zalo".
        return None if isinstance(value, str) and not value.strip() else value

    # Outbox rate limits per messenger.
    telegram_messages_per_second: float = Field(default=30, gt=0)
    telegram_seconds_per_chat: float = Field(default=1.0, ge=0)
    telegram_group_messages_per_minute: float = Field(default=20, gt=0)
    # Zalo publishes no figures; these are cautious guesses.
    zalo_messages_per_second: float = Field(default=10, gt=0)
    zalo_seconds_per_chat: float = Field(default=1.0, ge=0)
    # A message that still fails after this long is recorded as failed: past it, a reminder is stale.
    outbox_give_up_hours: float = Field(default=48, gt=0)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; accepted: {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("database_url")
    @classmethod
    def _sqlite_url(cls, value: str) -> str:
        accepted = (
            "accepted: sqlite:///relative/path.db, sqlite:////absolute/path.db"
            " or postgresql://user:password@host:5432/database"
        )
        if value.startswith(("postgresql://", "postgres://")):
            if importlib.util.find_spec("psycopg") is None:
                raise ValueError(
                    f"{_without_password(value)!r} needs PostgreSQL's driver: pip install 'thidua-bot[postgres]'"
                )
            return value
        if not value.startswith("sqlite:///"):
            raise ValueError(f"{_without_password(value)!r} is not a database URL this bot can open; {accepted}")
        if not value.removeprefix("sqlite:///").strip() or value.endswith("/"):
            raise ValueError(f"{value!r} names no file; {accepted}")
        return value

    @field_validator("secretariat_chats")
    @classmethod
    def _chat_pairs(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            channel, _, chat_id = part.partition(":")
            if channel.strip() not in CHANNEL_NAMES or not chat_id.strip():
                raise ValueError(
                    f"{part!r} is not channel:chat_id; accepted: comma-separated pairs such as "
                    f"telegram:-1001234567890, with the channel one of {', '.join(CHANNEL_NAMES)}"
                )
        return value

    @field_validator("admin_telegram_ids")
    @classmethod
    def _telegram_ids(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if whole_number(part.removeprefix("-")) is None:
                raise ValueError(f"{part!r} is not a Telegram user id; accepted: comma-separated numbers")
        return value

    @field_validator("telegram_api_base_url", "telegram_webhook_url", "zalo_api_base_url", "zalo_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and (urlparse(value).scheme not in ("http", "https") or not urlparse(value).netloc):
            raise ValueError(f"{value!r} is not a URL; accepted: http://host[:port][/path] or https://...")
        return value

    # The secretariat's desk in a browser, served by `run` beside the messengers (and alone by `web`).
    web_enabled: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    # The address people open, when a proxy stands in front (https://thidua.example.gov.vn); the sign-in
    # links sent in the chat start with it.
    web_base_url: str = ""
    web_link_minutes: float = Field(default=10, gt=0, le=60)
    web_links_per_hour: int = Field(default=5, ge=1, le=100)
    web_idle_minutes: float = Field(default=30, gt=0)

    @property
    def web_url(self) -> str:
        return (self.web_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    def secrets(self) -> list[str]:
        """Every secret value set, for the log to blot out."""
        values = (self.telegram_bot_token, self.telegram_webhook_secret, self.zalo_bot_token, self.zalo_webhook_secret)
        return [value.get_secret_value() for value in values if value is not None and value.get_secret_value()]

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def desk_chats(self) -> tuple[tuple[str, str], ...]:
        pairs = []
        for part in self.secretariat_chats.split(","):
            channel, _, chat_id = part.strip().partition(":")
            if channel and chat_id:
                pairs.append((channel.strip(), chat_id.strip()))
        return tuple(pairs)

    @property
    def admins(self) -> frozenset[tuple[str, str]]:
        pairs = set()
        for channel, ids in ((TELEGRAM, self.admin_telegram_ids), (ZALO, self.admin_zalo_ids)):
            pairs |= {(channel, part.strip()) for part in ids.split(",") if part.strip()}
        return frozenset(pairs)


def _without_password(url: str) -> str:
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment and .env, or a SettingsError naming each bad one in a line."""
    try:
        return Settings(**overrides)
    except UnicodeDecodeError as exc:
        raise SettingsError(f".env: not UTF-8 (byte offset {exc.start}): save the file as UTF-8") from None
    except ValidationError as exc:
        raise SettingsError("\n".join(describe_settings_error(exc))) from None


def describe_settings_error(exc: ValidationError) -> list[str]:
    lines = []
    for error in exc.errors():
        names = [str(part) for part in error["loc"] if isinstance(part, str)]
        message = str(error["msg"]).removeprefix("Value error, ")
        if not names:  # a rule across settings names them in its message
            lines.append(f"settings: {message}")
            continue
        name = names[0].upper()
        secret = "SECRET" in name or "TOKEN" in name
        if error["type"] not in ("value_error",) and not secret:
            # pydantic's own words ("Input should be greater than 0") with what was given
            message = f"{error['input']!r}: {message}"
        lines.append(f"setting {name}: {message}")
    return lines
