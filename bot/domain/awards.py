"""The award catalogue (emulation titles and forms of commendation) and the eligibility check.

The catalogue is data (config/awards/*.yaml): each form with its article of the law, who grants it, for
whom, from when to when, and its criteria. A criterion is checked against the facts recorded on a proposal
and is met, not met or unknown (a fact nobody recorded); a reviewer's question is always unknown, shown for
a person to weigh. The check never refuses: it says what it found.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot import yaml_text
from bot.domain.localized import Localized, as_localized
from bot.errors import StartupError

FactValue = bool | int | float | str


class Outcome(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"


class Recipient(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"
    HOUSEHOLD = "household"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Test(_Strict):
    """One checkable condition on one fact; a fact nobody recorded is unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fact: str
    is_: bool | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    at_least: float | None = None
    more_than: float | None = None

    @model_validator(mode="after")
    def _one_test(self) -> Test:
        given = [v for v in (self.is_, self.in_, self.at_least, self.more_than) if v is not None]
        if len(given) != 1:
            raise ValueError(f"fact {self.fact}: give exactly one of is, in, at_least, more_than")
        return self

    def check(self, facts: dict[str, FactValue]) -> Outcome:
        value = facts.get(self.fact)
        if value is None:
            return Outcome.UNKNOWN
        if self.is_ is not None:
            ok = value is self.is_ if isinstance(value, bool) else False
        elif self.in_ is not None:
            ok = str(value) in self.in_
        else:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return Outcome.UNKNOWN
            ok = value >= self.at_least if self.at_least is not None else value > (self.more_than or 0)
        return Outcome.MET if ok else Outcome.NOT_MET


class Criterion(_Strict):
    """A criterion of a form: a test on one fact (written inline), one of several tests (`any_of`), or a
    question for the reviewer."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    code: str
    article: str
    text: Localized | None = None
    question: Localized | None = None
    fact: str | None = None
    is_: bool | None = Field(default=None, alias="is")
    in_: list[str] | None = Field(default=None, alias="in")
    at_least: float | None = None
    more_than: float | None = None
    any_of: list[Test] | None = None

    _localize = field_validator("text", "question", mode="before")(as_localized)

    @model_validator(mode="after")
    def _one_kind(self) -> Criterion:
        kinds = [self.fact is not None, self.any_of is not None, self.question is not None]
        if sum(kinds) != 1:
            raise ValueError(f"criterion {self.code}: give exactly one of fact, any_of, question")
        if self.question is None and self.text is None:
            raise ValueError(f"criterion {self.code}: a checkable criterion needs its text")
        self.test()  # an inline test with no or two conditions is refused when the catalogue loads
        return self

    def test(self) -> Test | None:
        if self.fact is None:
            return None
        return Test(fact=self.fact, is_=self.is_, in_=self.in_, at_least=self.at_least, more_than=self.more_than)

    def check(self, facts: dict[str, FactValue]) -> Outcome:
        if self.question is not None:
            return Outcome.UNKNOWN
        if self.any_of is not None:
            outcomes = [t.check(facts) for t in self.any_of]
            if Outcome.MET in outcomes:
                return Outcome.MET
            return Outcome.NOT_MET if all(o is Outcome.NOT_MET for o in outcomes) else Outcome.UNKNOWN
        test = self.test()
        return test.check(facts) if test is not None else Outcome.UNKNOWN

    def words(self, lang: str) -> str:
        shown = self.question if self.question is not None else self.text
        return shown.get(lang) if shown is not None else self.code


class AwardForm(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    kind: Literal["title", "commendation"]
    name: Localized
    article: str
    granted_by: Localized
    recipients: list[Recipient] = Field(min_length=1)
    valid_from: dt.date
    valid_to: dt.date | None = None
    criteria: list[Criterion] = Field(min_length=1)

    _localize = field_validator("name", "granted_by", mode="before")(as_localized)

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class CatalogueInfo(_Strict):
    law: str
    decree: str
    replaced_decree: str | None = None


class Catalogue(_Strict):
    catalogue: CatalogueInfo
    forms: list[AwardForm] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes_unique_per_date(self) -> Catalogue:
        seen: dict[str, list[AwardForm]] = {}
        for form in self.forms:
            for other in seen.get(form.code, []):
                if _overlap(form, other):
                    raise ValueError(f"form {form.code}: two entries in force on the same day")
            seen.setdefault(form.code, []).append(form)
        return self

    def in_force(self, day: dt.date) -> list[AwardForm]:
        return [f for f in self.forms if f.in_force_on(day)]

    def form(self, code: str, day: dt.date) -> AwardForm | None:
        return next((f for f in self.in_force(day) if f.code == code), None)

    def basis(self, form: AwardForm) -> str:
        """ "Điều 74 Luật …; Nghị định …": what a decision cites for the form."""
        return f"{form.article} {self.catalogue.law}; {self.catalogue.decree}"


def _overlap(a: AwardForm, b: AwardForm) -> bool:
    a_end = a.valid_to or dt.date.max
    b_end = b.valid_to or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


class CriterionResult(BaseModel):
    criterion: Criterion
    outcome: Outcome


class Eligibility(BaseModel):
    form: AwardForm
    recipient_ok: bool
    results: list[CriterionResult]

    @property
    def outcome(self) -> Outcome:
        if not self.recipient_ok or any(r.outcome is Outcome.NOT_MET for r in self.results):
            return Outcome.NOT_MET
        if any(r.outcome is Outcome.UNKNOWN for r in self.results):
            return Outcome.UNKNOWN
        return Outcome.MET


def check(form: AwardForm, recipient: Recipient, facts: dict[str, FactValue]) -> Eligibility:
    return Eligibility(
        form=form,
        recipient_ok=recipient in form.recipients,
        results=[CriterionResult(criterion=c, outcome=c.check(facts)) for c in form.criteria],
    )


class CatalogueError(StartupError):
    """The award catalogue cannot be used; the message names the file and what is wrong."""


def load_catalogue(path: Path) -> Catalogue:
    try:
        data: Any = yaml_text.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot read the award catalogue: {exc}") from exc
    try:
        return Catalogue.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)[:5]
        )
        raise CatalogueError(f"{path}: invalid award catalogue: {problems}") from exc


DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent.parent / "config" / "awards" / "khen-thuong.yaml"
