"""A step that takes several of a list: each tap ticks or unticks one, then "Done".

Messengers without buttons (Zalo) get the same list numbered: typing "3" ticks the third, "4 16", "4,16" or
"4-6" several at once, typing part of a name ticks the one it names. The list is sent once: after a tick
only the ticks are reported, in a reply that refreshes the list's choices (a messenger with buttons
changes them in place). The ticks are kept in the session as they are made, so an interrupted choice
resumes with its ticks.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.conversation.messages import Choice, Kind, Reply
from bot.domain.text import fold, normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.pick_step import need_choice

TICKED, UNTICKED = "☑ ", "☐ "
# Numbers typed together: "4 16", "4,16", "4; 16", "4-6" (a range), in any mix.
NUMBERS = re.compile(r"^\s*\d+(\s*[-–]\s*\d+)?(\s*[,;\s]\s*\d+(\s*[-–]\s*\d+)?)*\s*$")
RANGE_MAX = 100
NAME_SHOWN = 40


class PickSeveral(Step):
    """Stores the ticked values of `options` ((value, label) of every option, in the order to show them),
    in that order. Texts under `texts`: question, done (with {count}), too_few (with {min}) and how."""

    DONE = "_done"

    def __init__(
        self,
        key: str,
        texts: str,
        options: Callable[[Context], list[tuple[str, str]]] | None = None,
        at_least: int = 1,
    ) -> None:
        self.key = key
        self.texts = texts
        self._options = options
        self.at_least = at_least

    def options(self, ctx: Context) -> list[tuple[str, str]]:
        """The options given, or (in a subclass) worked out here."""
        if self._options is None:
            raise NotImplementedError(f"{type(self).__name__} lists no options")
        return self._options(ctx)

    def _ticks(self, ctx: Context) -> list[str]:
        """The ticks being made: started from the stored answer when the step is asked again."""
        scratch = self.scratch(ctx)
        if "ticks" not in scratch:
            scratch["ticks"] = list(ctx.session.data.get(self.key, []))
        ticks: list[str] = scratch["ticks"]
        return ticks

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        ticks = self._ticks(ctx)
        choices = [
            Choice(label=(TICKED if value in ticks else UNTICKED) + label, value=flow.value(self.key, value))
            for value, label in self.options(ctx)
        ]
        done = ctx.t(f"{self.texts}.done", count=len(ticks))
        choices.append(Choice(label=done, value=flow.value(self.key, self.DONE)))
        return ctx.t(f"{self.texts}.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        ticks = self._ticks(ctx)
        options = self.options(ctx)
        if value == self.DONE:
            if len(ticks) < self.at_least:
                ctx.say(ctx.t(f"{self.texts}.too_few", min=self.at_least))
                return Outcome.REASK
            data[self.key] = [v for v, _ in options if v in ticks]
            self.scratch(ctx).pop("ticks")
            return Outcome.NEXT
        if value is None and ctx.incoming.kind is Kind.TEXT and NUMBERS.match(ctx.incoming.text or ""):
            return self._tick_numbers(ctx, flow, ctx.incoming.text or "")
        if value is None:
            typed = fold(normalize_text(ctx.incoming.text or "")) if ctx.incoming.kind is Kind.TEXT else ""
            found = [v for v, label in options if typed and typed in fold(label)] if len(typed) <= 200 else []
            if len(found) != 1:
                ctx.say(ctx.t(f"{self.texts}.how"))
                return Outcome.REASK
            value = found[0]
        if value not in {v for v, _ in options}:
            return need_choice(ctx)
        if value in ticks:
            ticks.remove(value)
        else:
            ticks.append(value)
        self._report_ticks(ctx, flow)
        return Outcome.STAY

    def _tick_numbers(self, ctx: Context, flow: Flow, typed: str) -> Outcome:
        """Several numbers of the list at once: each named option is ticked or, if ticked, unticked."""
        options = self.options(ctx)
        numbers: list[int] = []
        for part in re.split(r"[,;\s]+", re.sub(r"\s*[-–]\s*", "-", typed.strip())):
            low, _, high = part.partition("-")
            if not low:
                continue
            first, last = sorted((int(low), int(high or low)))
            last = min(last, first + RANGE_MAX)  # "1-99999" is not worth a long loop: it is refused below
            numbers += [n for n in range(first, last + 1) if n not in numbers]
        done_number = len(options) + 1
        wrong = [n for n in numbers if not 1 <= n <= done_number]
        if wrong:
            shown = ", ".join(str(n) for n in wrong[:5])
            self._report_ticks(ctx, flow, ctx.t("pick.bad_number", numbers=shown, max=len(options)))
            return Outcome.STAY
        ticks = self._ticks(ctx)
        for number in numbers:
            if number == done_number:
                continue  # "Done" among numbers to tick is not taken as done: the ticks are shown first
            value = options[number - 1][0]
            if value in ticks:
                ticks.remove(value)
            else:
                ticks.append(value)
        self._report_ticks(ctx, flow)
        return Outcome.STAY

    def _report_ticks(self, ctx: Context, flow: Flow, note: str | None = None) -> None:
        """What is ticked now, as a refresh of the list's choices rather than the list again."""
        ticks = self._ticks(ctx)
        _, choices = self.question(ctx, flow)
        numbered = [
            f"{number}. {shorten(label, NAME_SHOWN)}"
            for number, (value, label) in enumerate(self.options(ctx), start=1)
            if value in ticks
        ]
        lines = [note] if note else []
        if numbered:
            lines.append(ctx.t("pick.ticked", count=len(numbered), names="; ".join(numbered)))
        else:
            lines.append(ctx.t("pick.none_ticked"))
        lines.append(ctx.t("pick.more", done=choices[-1].label))
        columns = flow.columns.get(self.key, 1)
        ctx.replies.append(Reply(text="\n".join(lines), choices=tuple(choices), columns=columns, refresh=True))

    def shown(self, ctx: Context) -> str:
        picked = ctx.session.data.get(self.key, [])
        return "; ".join(label for value, label in self.options(ctx) if value in picked)


# The name the conversations written before PickSeveral subclass.
MultiChoiceStep = PickSeveral
