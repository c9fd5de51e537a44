"""The campaign's succession table at start-up: read beside the campaign file, checked against the
database's units, stored, and the mergers now in force recorded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.domain.campaign import Campaign
from bot.domain.successions import Split, plan_successions
from bot.engine.context import Services
from bot.errors import StartupError
from bot.storage.database import Connection
from bot.storage.repos import Repos
from bot.storage.successions import SuccessionRepo
from bot.storage.units import UnitRepo
from bot.successions.questions import ask_secretariat


class SuccessionsFileError(StartupError):
    """The campaign's succession table cannot be used; the message names the file and rows."""


def read_successions_file(campaign: Campaign) -> str | None:
    if not campaign.successions_file:
        return None
    path = Path(campaign.successions_file)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuccessionsFileError(f"{path}: cannot read the succession table: {exc}") from exc


async def import_successions(
    conn: Connection,
    text: str,
    source: str,
    where: str,
    now: dt.datetime,
    today: dt.date,
    services: Services | None = None,
) -> tuple[int, list[str], list[Split]]:
    """Store the table's new rows and record the mergers in force; (rows added, units merged, splits
    waiting, the secretariat asked about each through the outbox when `services` is given). Raises
    SuccessionsFileError naming the rows if the table is wrong (nothing is stored)."""
    known = {u.code for u in await UnitRepo(conn).all()}
    plan = plan_successions(text, known)
    if plan.errors:
        raise SuccessionsFileError("\n".join(f"{where}: {e}" for e in plan.errors[:20]))
    repo = SuccessionRepo(conn)
    added = await repo.record(plan.rows, source, now)
    merged, pending = await repo.apply(today, now, source)
    if services is not None:
        await ask_secretariat(Repos(conn), services, pending, now)
    return added, merged, pending
