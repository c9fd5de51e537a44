"""A unit typed by a name it had before a merger ("xã Mỹ Long") found under the unit that holds it now
("Xã Long Tiên"), saying so, so that people who still use the old names are not turned away."""

from __future__ import annotations

from bot.domain.successions import Share
from bot.domain.units import Unit
from bot.engine.context import Context


async def former_unit(ctx: Context, query: str) -> list[Unit]:
    """The active units a former unit of that name went to, each told to the person; [] if none."""
    rows = await ctx.repos.successions.by_old_name(query)
    if not rows:
        return []
    units = {u.code: u for u in await ctx.repos.units.active()}
    holders = await ctx.repos.units.successors()
    found: dict[str, Unit] = {}
    by_old: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        code = holders.get(row.new_code, row.new_code)
        if code in units:
            by_old.setdefault((row.old_code, row.old_name), []).append(code)
    for (old_code, old_name), codes in by_old.items():
        sample = next(r for r in rows if r.old_code == old_code)
        district = f", {sample.old_district}" if sample.old_district else ""
        split = any(r.share is Share.PART for r in rows if r.old_code == old_code)
        ctx.say(
            ctx.t(
                "units.former_part" if split else "units.former",
                old=f"{old_name}{district}",
                new=", ".join(units[c].name for c in codes),
                effective=sample.effective.strftime("%d/%m/%Y"),
                basis=sample.legal_basis,
            )
        )
        for code in codes:
            found[code] = units[code]
    return list(found.values())
