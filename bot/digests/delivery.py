"""A digest as the messages one chat gets: its text cut at the size of that chat's messenger, then the chart."""

from __future__ import annotations

from pathlib import Path

from bot.conversation.messages import OutgoingFile, Reply
from bot.digests.compose import DigestData, Writer
from bot.engine.context import Services

CHART_MIME = "image/png"


def chart_folder(services: Services) -> Path:
    """Where chart pictures are written: beside the evidence store, in the data folder (DATA_DIR)."""
    return (services.files.root.parent / "digests").resolve()


def digest_replies(data: DigestData, services: Services, lang: str, channel: str, chart: Path | None) -> list[Reply]:
    writer = Writer(services.campaign, services.catalog, lang)
    # Each message is an outbox row of its own: one that fails is tried again alone.
    replies = [Reply(text=part) for part in services.channels.size_of(channel).split(writer.text(data))]
    if chart is not None:
        replies.append(
            Reply(
                text=writer.caption(data),
                file=OutgoingFile(path=chart, filename=chart.name, mime=CHART_MIME, as_photo=True),
            )
        )
    return replies
