"""Settings from the environment and `.env`. Secrets are SecretStr so they never reach a log line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.outbox.limits import ChannelLimits


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite:///data/thidua.db"
    data_dir: Path = Path("data")
    campaign_file: Path = Path("config/dong-thap.yaml")
    log_level: str = "INFO"

    draft_stale_days: float = Field(default=7, gt=0)
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

    def outbox_limits(self) -> dict[str, ChannelLimits]:
        return {
            "telegram": ChannelLimits(
                per_second=self.telegram_messages_per_second,
                per_chat_seconds=self.telegram_seconds_per_chat,
                per_group_per_minute=self.telegram_group_messages_per_minute,
            ),
            "zalo": ChannelLimits(
                per_second=self.zalo_messages_per_second,
                per_chat_seconds=self.zalo_seconds_per_chat,
            ),
        }

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
        for channel, ids in (("telegram", self.admin_telegram_ids), ("zalo", self.admin_zalo_ids)):
            pairs |= {(channel, part.strip()) for part in ids.split(",") if part.strip()}
        return frozenset(pairs)
