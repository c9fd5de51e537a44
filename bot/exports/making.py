"""Making the files asked for: one read of the database for all of them, each written under a name that
says what it holds and when it was made. The command line and the chat both come through here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel

from bot.domain.campaign import Campaign
from bot.domain.export_rows import ExportKind, ExportScope
from bot.exports import mime
from bot.exports.wording import Wording
from bot.exports.xlsx import write_xlsx
from bot.i18n import Catalog
from bot.storage.exports import ExportReader, ExportSource, snapshot

# The audit log's name for an export: who took which data out, with or without the phone numbers.
AUDIT_EXPORT = "export.made"

SUFFIX = {ExportKind.XLSX: "xlsx", ExportKind.BULLETIN: "docx", ExportKind.COMPILATION: "docx"}
MIME = {ExportKind.XLSX: mime.XLSX, ExportKind.BULLETIN: mime.DOCX, ExportKind.COMPILATION: mime.DOCX}


class ExportRequest(BaseModel):
    scope: ExportScope
    kinds: list[ExportKind]
    with_contacts: bool = False
    lang: str = "vi"


class MadeFile(BaseModel):
    kind: ExportKind
    path: Path
    mime: str
    # What the file holds, by what it counts ("nominations": 12, "reports": 30, ...).
    counts: dict[str, int]

    @property
    def filename(self) -> str:
        return self.path.name


def file_name(campaign: Campaign, request: ExportRequest, kind: ExportKind, made_at: dt.datetime) -> str:
    stamp = made_at.astimezone(campaign.campaign.tz).strftime("%Y%m%d-%H%M%S")
    contacts = "-lienhe" if request.with_contacts and kind is ExportKind.XLSX else ""
    return f"{campaign.campaign.code}-{request.scope.slug()}-{kind.value}{contacts}-{stamp}.{SUFFIX[kind]}"


async def make_exports(
    database: ExportSource,
    campaign: Campaign,
    catalog: Catalog,
    request: ExportRequest,
    made_at: dt.datetime,
    *,
    folder: Path | None = None,
    paths: dict[ExportKind, Path] | None = None,
) -> list[MadeFile]:
    """Write each kind asked for, into `folder` under a made-up name or to the path given for it."""
    made: list[MadeFile] = []
    async with snapshot(database) as conn:
        reader = ExportReader(conn, campaign)
        wording = Wording(catalog, campaign, request.lang, await reader.unit_names(), await reader.merged_units())
        for kind in request.kinds:
            path = (paths or {}).get(kind) or (folder or Path(".")) / file_name(campaign, request, kind, made_at)
            counts: dict[str, int]
            if kind is ExportKind.XLSX:
                summary = await write_xlsx(reader, request.scope, wording, path, with_contacts=request.with_contacts)
                counts = summary.model_dump()
            elif kind is ExportKind.BULLETIN:
                # The Word documents load python-docx: only when one is made.
                from bot.exports.bulletin import write_bulletin

                counts = (await write_bulletin(reader, request.scope, wording, path, made_at)).model_dump()
            else:
                from bot.exports.compilation import write_compilation

                counts = (await write_compilation(reader, request.scope, wording, path, made_at)).model_dump()
            made.append(MadeFile(kind=kind, path=path, mime=MIME[kind], counts=counts))
    return made
