"""The year's statistical forms on emulation and commendation, defined as data (config/forms/*.yaml) and
filled from what the bot recorded: decisions for the commendations form, the campaign for the movements
form. A new circular is a new file with its own dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot import yaml_text
from bot.domain.awards import Recipient
from bot.domain.commendation import Method
from bot.errors import StartupError

FORMS_DIR = Path(__file__).resolve().parent.parent.parent / "config" / "forms"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormInfo(_Strict):
    code: str
    short: str = Field(pattern=r"^[0-9A-Za-z]{2,8}$")
    circular: str
    title: str
    received_by: str
    sender: str
    receiver: str
    unit_of_count: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    source: Literal["decisions", "movements"]


class FormLayout(_Strict):
    """The printed form's fixed words, in its own language (with {code}, {circular}, … where they go)."""

    form_number: str
    issued_with: str
    received: str
    sender: str
    receiver: str
    year: str
    criteria: str
    row_code: str
    preparer: str
    preparer_note: str
    place_date: str
    head: str
    head_note: str


class FormColumn(_Strict):
    code: str
    title: str
    forms: list[str] = Field(default_factory=list)


class FormRow(_Strict):
    code: str
    title: str
    bold: bool = False
    # A heading row groups the rows under it and holds no figures.
    heading: bool = False
    method: Method | None = None
    recipient: Recipient | None = None

    def counts(self, method: Method, recipient: Recipient) -> bool:
        return (self.method is None or self.method is method) and (
            self.recipient is None or self.recipient is recipient
        )


class StatForm(_Strict):
    form: FormInfo
    layout: FormLayout
    columns: list[FormColumn] = Field(min_length=1)
    rows: list[FormRow] = Field(min_length=1)

    def in_force_in(self, year: int) -> bool:
        end = self.form.valid_to or dt.date.max
        return self.form.valid_from <= dt.date(year, 12, 31) and end >= dt.date(year, 1, 1)


Granted = tuple[str, Recipient, Method]


def fill(form: StatForm, granted: Iterable[Granted], movements: int) -> dict[str, dict[str, int | None]]:
    """Row code → column code → figure (None for a heading row). From decisions: each granted proposal
    counts once in every row its kind and recipient fall under, in every column listing its form."""
    figures: dict[str, dict[str, int | None]] = {}
    granted = list(granted)
    for row in form.rows:
        if row.heading:
            figures[row.code] = {c.code: None for c in form.columns}
            continue
        line: dict[str, int | None] = {}
        for column in form.columns:
            if form.form.source == "movements":
                line[column.code] = movements
            else:
                line[column.code] = sum(
                    1 for code, recipient, method in granted if code in column.forms and row.counts(method, recipient)
                )
        figures[row.code] = line
    return figures


class StatFormError(StartupError):
    """A form definition cannot be used; the message names the file."""


def load_form(path: Path) -> StatForm:
    try:
        data: Any = yaml_text.safe_load(path.read_text(encoding="utf-8"))
        return StatForm.model_validate(data)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise StatFormError(f"{path}: invalid statistical form definition: {exc}") from exc


def find_form(short: str, year: int, folder: Path = FORMS_DIR) -> StatForm | None:
    """The definition of form `short` ("0603") in force in the year, if the project has one."""
    for path in sorted(folder.glob("*.yaml")):
        form = load_form(path)
        if form.form.short == short and form.in_force_in(year):
            return form
    return None
