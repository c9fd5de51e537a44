"""A step that collects evidence files, shared by the conversations that accept them."""

from __future__ import annotations

from typing import Any

from bot.conversation.messages import Choice, Kind
from bot.engine.context import Context, RejectedFile
from bot.handlers.flow import Flow, Outcome, Step


def megabytes(size: int) -> str:
    """A size limit as people read it: "10", or "0.5" for a limit under a megabyte (never "0")."""
    return f"{round(size / (1024 * 1024), 1):g}"


class FilesStep(Step):
    """Up to N photos or documents, or none: each checked by its bytes, kept on disk by its checksum."""

    accepts_files = True

    def __init__(self, key: str, texts: str) -> None:
        self.key = key
        self.texts = texts

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        kept: list[dict[str, Any]] = self.scratch(ctx).get("kept", [])
        limit = ctx.services.max_files
        mb = megabytes(ctx.services.max_file_bytes)
        if kept:
            text = ctx.t(f"{self.texts}.more", count=len(kept), max=limit)
            return text, [Choice(label=ctx.t(f"{self.texts}.done"), value=flow.value(self.key, "done"))]
        return ctx.t(f"{self.texts}.question", max=limit, mb=mb), [
            Choice(label=ctx.t(f"{self.texts}.skip"), value=flow.value(self.key, "skip"))
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        scratch = self.scratch(ctx)
        if value in ("done", "skip"):
            data[self.key] = scratch.pop("kept", [])
            return Outcome.NEXT
        if ctx.incoming.kind is not Kind.FILE:
            ctx.say(ctx.t(f"{self.texts}.send_a_file"))
            return Outcome.REASK
        kept: list[dict[str, Any]] = scratch.setdefault("kept", [])
        limit = ctx.services.max_files
        mb = megabytes(ctx.services.max_file_bytes)
        if not ctx.staged:
            ctx.say(ctx.t("files.rejected.download_failed", name="?"))
        for staged in ctx.staged:
            if isinstance(staged, RejectedFile):
                ctx.say(ctx.t(f"files.rejected.{staged.reason}", name=staged.name or "?", mb=mb))
            elif len(kept) >= limit:
                ctx.say(ctx.t(f"{self.texts}.limit", max=limit))
            elif any(f["sha256"] == staged.sha256 for f in kept):
                ctx.say(ctx.t(f"{self.texts}.duplicate"))
            else:
                kept.append(staged.model_dump())
        if len(kept) >= limit:
            data[self.key] = scratch.pop("kept")
            ctx.say(ctx.t(f"{self.texts}.full", max=limit))
            return Outcome.NEXT
        return Outcome.REASK

    def shown(self, ctx: Context) -> str:
        files = ctx.session.data.get(self.key, [])
        if not files:
            return ctx.t(f"{self.texts}.none")
        return ctx.t(f"{self.texts}.count", count=len(files))
