"""The year's statistical form, from the database to its workbook: figures gathered in the caller's
transaction (a few rows per decision), the file written afterwards."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.domain.campaign import Campaign
from bot.domain.stat_forms import StatForm, fill, find_form
from bot.exports.stat_form import write_stat_form
from bot.storage.commendations import CommendationRepo

FORM_CODES = ("0601", "0603")


@dataclass(frozen=True)
class FilledForm:
    form: StatForm
    year: int
    figures: dict[str, dict[str, int | None]]

    @property
    def filename(self) -> str:
        return f"bieu-{self.form.form.short}-{self.year}.xlsx"

    def write(self, folder: Path) -> Path:
        path = folder / self.filename
        write_stat_form(self.form, self.year, self.figures, path)
        return path


async def gather_form(commendations: CommendationRepo, campaign: Campaign, short: str, year: int) -> FilledForm | None:
    """The form `short` in force in the year, filled; None if the project has no such form for that year.
    The movements form counts the campaign's movements only for the campaign's own year."""
    form = find_form(short, year)
    if form is None:
        return None
    granted = await commendations.decided_in(year)
    movements = len(campaign.movements) if campaign.campaign.year == year else 0
    return FilledForm(form=form, year=year, figures=fill(form, granted, movements))
