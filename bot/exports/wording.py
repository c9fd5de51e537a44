"""The words a file is written in: catalog texts and the campaign's names, in one language."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot.domain.campaign import Campaign
from bot.domain.reports import format_number
from bot.i18n import Catalog


@dataclass(frozen=True)
class Wording:
    catalog: Catalog
    campaign: Campaign
    lang: str
    # Unit code -> name, for rows that carry only the code.
    units: dict[str, str] = field(default_factory=dict)
    # Codes of units merged into another: their rows are shown under the successor (see unit_names).
    merged: frozenset[str] = frozenset()

    def t(self, key: str, **values: Any) -> str:
        return self.catalog.t(self.lang, key, **values)

    def category(self, code: str) -> str:
        category = self.campaign.category(code)
        return category.name.get(self.lang) if category else code

    def area(self, code: str) -> str:
        area = self.campaign.area(code)
        return area.name.get(self.lang) if area else code

    def group(self, code: str | None) -> str:
        group = self.campaign.group(code) if code else None
        if group is not None:
            return group.name.get(self.lang)
        return code or self.t("export.no_group")

    def unit(self, code: str | None) -> str:
        return self.units.get(code, code) if code else ""

    def filed_unit(self, code: str, filed_name: str) -> str:
        """The unit a record was filed under, as it was named then, or under its successor if merged."""
        return self.unit(code) if code in self.merged else filed_name

    def period(self, code: str) -> str:
        period = self.campaign.period(code)
        return period.name.get(self.lang) if period else code

    def status(self, value: str) -> str:
        key = f"status.{value}"
        return self.t(key) if self.catalog.has(key) else value

    def number(self, value: float) -> str:
        return format_number(value, self.lang)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """Spreadsheets and documents know no time zones: the campaign's local time."""
        return moment.astimezone(self.campaign.campaign.tz).replace(tzinfo=None)

    def yes_no(self, value: bool) -> str:
        return self.t("export.yes") if value else self.t("export.no")

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.campaign.campaign.tz).date()

    def issuer(self) -> tuple[str, str]:
        """The issuing body's two header lines, from the campaign: the authority that launched it, shortened
        the way letterheads write it ("UBND TỈNH ĐỒNG THÁP"), and the body that compiles ("SỞ NỘI VỤ")."""
        info = self.campaign.campaign
        launched = info.launched_by.get(self.lang) if info.launched_by else ""
        parent = re.sub(r"^(Ủy|Uỷ) ban nhân dân", "UBND", launched, flags=re.IGNORECASE).upper()
        body = info.secretariat.get(self.lang) if info.secretariat else ""
        return parent, body.split("(", 1)[0].strip().upper()

    def secretariat(self) -> str:
        """The compiling body as a sentence names it: "Sở Nội vụ"."""
        info = self.campaign.campaign
        return info.secretariat.get(self.lang).split("(", 1)[0].strip() if info.secretariat else ""

    def place(self) -> str:
        """Where a document is dated from: the province or city the campaign is launched in."""
        info = self.campaign.campaign
        launched = info.launched_by.get("vi") if info.launched_by else ""
        found = re.search(r"(?:tỉnh|thành phố)\s+(.+)$", launched, flags=re.IGNORECASE)
        return found.group(1).strip() if found else ""

    def dated(self, day: dt.date) -> str:
        """ "Đồng Tháp, ngày 05 tháng 02 năm 2026": days below 10 and the months January and February are
        written with a leading zero, as administrative documents are."""
        return self.t(
            "export.docx.dated",
            place=self.place(),
            day=f"{day.day:02d}",
            month=f"{day.month:02d}" if day.month < 3 else str(day.month),
            year=day.year,
        )
