"""Load and validate the campaign YAML, naming file, line and field of the first problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.campaign import Campaign
from bot.domain.unit_csv import read_rows
from bot.errors import StartupError

# libyaml's parser (bot/yaml_text.py): the pure-Python one took ~60 ms to read the campaign, paid at every start
# and by every test that builds an app.
from bot.yaml_text import SafeLoader


class CampaignConfigError(StartupError):
    """The campaign file cannot be used; the message is meant for the operator."""


class UniqueKeyLoader(SafeLoader):
    """PyYAML's safe loader, except that a key given twice in one mapping is an error: by default the second
    `reminders:` section would silently replace the first."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, str | int | float | bool):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in the same section (first on line {seen[key]}): keep one",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path) -> str:
    """The file's text, or an error naming where it stops being UTF-8."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CampaignConfigError(f"{path}: cannot read campaign file: {exc.strerror or exc}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise CampaignConfigError(
            f"{path}:{line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}): save the file as UTF-8"
        ) from exc


def load_campaign(path: Path) -> Campaign:
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise CampaignConfigError(f"{path}:{line}: not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise CampaignConfigError(f"{path}:1: the campaign file must be a mapping of sections")
    if data.get("units_file"):
        data["units"] = [*(data.get("units") or []), *_units_from_file(path, str(data["units_file"]))]
    if data.get("successions_file"):
        # Read at start-up by the app, which needs the database's units to check it: keep where it is.
        data["successions_file"] = str((path.parent / str(data["successions_file"])).resolve())
    try:
        return Campaign.model_validate(data)
    except ValidationError as exc:
        # The nodes, with their lines, are read again only to name where the problems are.
        raise CampaignConfigError(_describe(path, yaml.compose(text, Loader=SafeLoader), exc)) from exc


_UNIT_COLUMNS = ("code", "name", "kind", "parent", "group")


def _units_from_file(path: Path, name: str) -> list[dict[str, str]]:
    """The units a campaign's `units_file` lists, as campaign entries; a row missing what a unit needs is
    named by file and row."""
    csv_path = (path.parent / name).resolve()
    try:
        text = csv_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignConfigError(f"{path}: units_file {name}: cannot read {csv_path}: {exc}") from exc
    units = []
    for number, row in read_rows(text):
        missing = [c for c in ("code", "name", "kind") if not row.get(c)]
        if missing:
            raise CampaignConfigError(f"{csv_path}:{number}: missing {', '.join(missing)}")
        units.append({c: row[c] for c in _UNIT_COLUMNS if row.get(c)})
    if not units:
        raise CampaignConfigError(f"{csv_path}: no units in the file")
    return units


def _describe(path: Path, root: yaml.Node | None, exc: ValidationError) -> str:
    lines = []
    for error in exc.errors()[:10]:
        loc = [part for part in error["loc"] if not _is_validator_tag(part)]
        field = ".".join(str(part) for part in loc) or "(top level)"
        line = _line_of(root, loc)
        lines.append(f"{path}:{line}: field {field}: {str(error['msg']).removeprefix('Value error, ')}")
    more = exc.error_count() - len(lines)
    if more > 0:
        lines.append(f"... and {more} more problem(s)")
    return "\n".join(lines)


def _is_validator_tag(part: Any) -> bool:
    # pydantic adds the union member or validator name to some locations ("function-after[...]")
    return isinstance(part, str) and ("[" in part or part in {"str", "dict"})


def _line_of(node: yaml.Node | None, loc: list[Any]) -> int:
    """The line of the deepest YAML node the error location reaches."""
    best = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    child = value
                    best = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
            best = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return best
