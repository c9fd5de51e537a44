"""Which active unit holds a merged unit's history now, for every view that lists units."""

from __future__ import annotations

from bot.domain.successions import final_successors
from bot.storage.database import Connection, fetch_all


async def successor_map(conn: Connection) -> dict[str, str]:
    """Each merged unit's code → the active unit that holds its history now."""
    # Straight from the versions rather than through the current_units view: only merged versions are
    # looked up for being the latest, so the cost follows the mergers, not the province's units.
    rows = await fetch_all(
        conn,
        "SELECT v.code, v.merged_into FROM unit_versions v WHERE v.status = 'merged' AND v.merged_into IS NOT NULL"
        " AND v.id = (SELECT MAX(w.id) FROM unit_versions w WHERE w.code = v.code)",
    )
    return final_successors({r[0]: r[1] for r in rows})


async def display_names(conn: Connection) -> dict[str, str]:
    """Every unit's name as views show it: a merged unit under its successor, with where the record was
    filed after an arrow ("Xã Long Tiên ← Xã Mỹ Long")."""
    names = {r[0]: r[1] for r in await fetch_all(conn, "SELECT code, name FROM current_units")}
    for code, holder in (await successor_map(conn)).items():
        if holder in names and holder != code:
            names[code] = f"{names[holder]} ← {names[code]}"
    return names
