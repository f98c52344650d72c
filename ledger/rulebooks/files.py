"""Reading a rulebook or catalog file: YAML or JSON, safely (no aliases, no implicit
timestamps), with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ..errors import Invalid


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: dates stay text for the schema to check, so an
    impossible date is an error naming its field, not a crash in the parser."""


    def compose_node(self, parent, index):
        # Anchors and aliases are refused: a rulebook needs none, and nested aliases
        # expand exponentially ("billion laughs") or refer to themselves.
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a rulebook or catalog",
                                              event.start_mark)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_file(path: str | Path):
    """Read YAML or JSON (JSON is YAML, but a JSON error message is clearer)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                      {"_file": ["not UTF-8 text"]}) from exc
    try:
        if str(path).lower().endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        # ValueError: an integer of more than 4,300 digits, which Python refuses to read
        raise Invalid(f"{path}: not valid YAML or JSON: {exc}", {"_file": [str(exc)]}) from exc


def parse_text(text: str, name: str):
    """Read YAML or JSON text given by a person (an upload, a pasted document)."""
    try:
        if name.lower().endswith(".json"):
            return json.loads(text)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError, ValueError) as exc:
        raise Invalid(f"{name}: not valid YAML or JSON: {exc}", {"_file": [str(exc)]}) from exc
