"""Every button value the bot can make fits Telegram's 64 bytes and reads back as what it was made from;
values already in people's chats, made before the values were typed, still read as they meant."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.app import App
from bot.conversation.buttons import (
    LIMIT,
    Button,
    FlowButton,
    LangButton,
    MenuButton,
    QueueButton,
    ReviewButton,
    SplitButton,
    decode,
)
from bot.domain.nomination import NominationStatus
from bot.domain.review import stage
from bot.handlers.commands import COMMANDS
from bot.handlers.flow import MODE_BUTTONS
from bot.handlers.review import _VERBS, FLOW_OF
from bot.handlers.router import build_router
from bot.i18n import LANGUAGES
from bot.storage.units import UnitRepo

# A nomination or question id far beyond any province's (ten digits).
BIG_ID = 9_999_999_999


def _longest(values: list[str]) -> str:
    return max(values, key=lambda v: len(v.encode()))


async def every_button(app: App) -> list[Button]:
    """The buttons the bot makes, each with the longest value it can carry."""
    campaign = app.services.campaign
    async with app.db.reading() as conn:
        unit_codes = [u.code for u in await UnitRepo(conn).all()]
    # A step's choice is one of the campaign's codes, a unit's code, or one of the steps' own words.
    codes = unit_codes + [c.code for c in campaign.categories] + [g.code for g in campaign.groups]
    codes += [p.code for p in campaign.reporting_periods] + ["individual", "collective", "anonymous", "_done"]
    value = _longest(codes)
    buttons: list[Button] = [MenuButton(command=c.name) for c in COMMANDS]
    buttons += [LangButton(lang=lang) for lang in LANGUAGES]
    for flow in build_router().flows.values():
        # Every area ticked: a report then has every step it can have.
        data = {"areas": [a.code for a in campaign.content_areas]}
        keys = [step.key for step in flow.all_steps(data, campaign)]
        buttons += [FlowButton(flow=flow.name, step=key, value=value) for key in keys if ":" not in key]
        summary = MODE_BUTTONS[next(iter(MODE_BUTTONS))]
        buttons += [FlowButton(flow=flow.name, step=summary, value=f"edit-{key}") for key in keys]
        buttons += [FlowButton(flow=flow.name, step=word, value="discard") for word in MODE_BUTTONS.values()]
    stages = [stage(status) for status in NominationStatus]
    for verb in [*_VERBS, *FLOW_OF]:
        buttons.append(ReviewButton(verb=verb, subject=BIG_ID, stage=_longest(stages), publish=True))
        buttons.append(ReviewButton(verb=verb, subject=BIG_ID))
    groups = [g.code for g in campaign.groups]
    buttons.append(QueueButton(offset=BIG_ID, status=_longest([s.value for s in NominationStatus]), group=None))
    buttons.append(QueueButton(offset=0, status=None, group=_longest(groups)))
    buttons.append(SplitButton(old=_longest(unit_codes), new=_longest(unit_codes)))
    return buttons


async def test_every_button_fits_and_reads_back(app: App) -> None:
    buttons = await every_button(app)
    assert len(buttons) > 100
    for button in buttons:
        packed = button.pack()
        assert len(packed.encode()) <= LIMIT, packed
        assert decode(packed) == button, packed


@pytest.mark.parametrize(
    ("old", "meant"),
    [
        ("nominate:kind:individual", FlowButton(flow="nominate", step="kind", value="individual")),
        ("nominate:_summary:submit", FlowButton(flow="nominate", step="_summary", value="submit")),
        ("report:_summary:edit-ind:ND03:I1", FlowButton(flow="report", step="_summary", value="edit-ind:ND03:I1")),
        ("rv:decide:12:open:1", ReviewButton(verb="decide", subject=12, stage="open", publish=True)),
        ("rv:mergeok:12:", ReviewButton(verb="mergeok", subject=12, stage="")),
        ("rv:view:12", ReviewButton(verb="view", subject=12)),
        ("q:10:-:-", QueueButton(offset=10, status=None, group=None)),
        ("q:0:approved:C1", QueueButton(offset=0, status="approved", group="C1")),
        ("menu:report", MenuButton(command="report")),
        ("lang:en", LangButton(lang="en")),
        ("split:29311:29314", SplitButton(old="29311", new="29314")),
    ],
)
def test_values_already_in_chats_still_read(old: str, meant: Button) -> None:
    assert decode(old) == meant
    assert meant.pack() == old


@pytest.mark.parametrize("forged", ["rv:view:abc", "rv:view", "q:x:-:-", "nominate:kind", "split:29311", ""])
def test_values_that_do_not_read_are_none(forged: str) -> None:
    assert decode(forged) is None


def test_a_value_over_the_limit_is_refused_where_it_is_made() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        FlowButton(flow="nominate", step="unit", value="x" * 60).pack()


# Words with and without separators, "-" (None elsewhere), empty, long, and characters of several bytes.
_PART = st.one_of(
    st.sampled_from(["nominate", "kind", "_summary", "edit-ind:ND03:I1", "-", "", ":", "ắ" * 30]),
    st.text(st.sampled_from("ab:-ắ🎉"), max_size=70),
)


def _outcome(make: object) -> object:
    try:
        return make()  # type: ignore[operator]
    except ValueError as exc:  # pydantic's ValidationError is one
        return type(exc)


@given(_PART, _PART, _PART)
def test_a_conversation_packs_its_values_as_the_model_would(flow: str, step: str, value: str) -> None:
    assert _outcome(lambda: FlowButton.packed(flow, step, value)) == _outcome(
        lambda: FlowButton(flow=flow, step=step, value=value).pack()
    )


@given(st.lists(_PART, max_size=4).map(":".join), _PART, _PART)
def test_a_conversation_reads_its_values_as_the_model_would(raw: str, flow: str, step: str) -> None:
    button = FlowButton.unpack(raw)
    read = button.value if button is not None and button.flow == flow and button.step == step else None
    assert FlowButton.value_in(raw, flow, step) == read
    assert FlowButton.value_in(raw, "nominate", "kind") == (
        button.value if button is not None and (button.flow, button.step) == ("nominate", "kind") else None
    )
