"""The config's documentation lists exactly the declared keys: config.example.yaml and the
README's configuration table. (The declaration itself is engine.config.model; its schema is
derived from it, so these are the only other places a key is written down.)"""

from __future__ import annotations

import re

import yaml

from engine.config.load import parse_config
from engine.config.model import SCHEMA
from engine.config.parsers import SINK_KEYS
from engine.config.schema import Section, SectionList
from tests.support import ROOT

EXAMPLE = ROOT / "config.example.yaml"


def schema_keys(section: Section, prefix: str = "") -> set[str]:
    """Every leaf key path; a list of mappings (`accounts`) counts as one key here."""
    found = set()
    for name, spec in section.keys.items():
        if isinstance(spec, Section):
            found |= schema_keys(spec, f"{prefix}{name}.")
        else:
            found.add(f"{prefix}{name}")
    return found


def document_keys(mapping: dict, section: Section, prefix: str = "") -> set[str]:
    """The leaf key paths a YAML document sets, descending where the schema has a section."""
    found = set()
    for name, value in mapping.items():
        spec = section.keys.get(name)
        if isinstance(spec, Section) and isinstance(value, dict):
            found |= document_keys(value, spec, f"{prefix}{name}.")
        else:
            found.add(f"{prefix}{name}")
    return found


def uncommented(text: str, anchor: str, replacement: str | None = None) -> str:
    """`text` with the commented-out example lines right below the line `anchor` made live
    (their leading `#` dropped), and that line replaced by `replacement` if given."""
    lines = text.splitlines()
    at = lines.index(anchor)
    end = at + 1
    while end < len(lines) and lines[end].startswith("#"):
        lines[end] = lines[end][1:]
        end += 1
    assert end > at + 1, f"no commented example below {anchor!r}"
    if replacement is not None:
        lines[at] = replacement
    return "\n".join(lines) + "\n"


def test_the_example_sets_every_key_and_no_other():
    document = yaml.safe_load(EXAMPLE.read_text())
    assert document_keys(document, SCHEMA) == schema_keys(SCHEMA)


def test_the_example_account_shows_every_account_key_and_is_valid():
    text = uncommented(EXAMPLE.read_text(), "accounts: []", "accounts:")
    (account,) = yaml.safe_load(text)["accounts"]
    accounts = SCHEMA.keys["accounts"]
    assert isinstance(accounts, SectionList)
    assert set(account) == schema_keys(accounts.item)
    config = parse_config(text, EXAMPLE)
    assert config.accounts[0].name == account["name"]
    assert config.accounts[0].api_key_env == "KRAKEN_API_KEY"


def test_the_example_sinks_show_every_sink_type_with_its_keys_and_are_valid():
    text = uncommented(EXAMPLE.read_text(), "    - type: stdout")
    sinks = yaml.safe_load(text)["alerts"]["sinks"]
    shown = {sink["type"]: set(sink) - {"type"} for sink in sinks}
    assert len(shown) == len(sinks)  # one example per type
    assert shown == SINK_KEYS
    assert [sink["type"] for sink in parse_config(text, EXAMPLE).alerts.sinks] == list(shown)


def readme_table_keys() -> set[str]:
    text = (ROOT / "README.md").read_text()
    start = text.index("\n## Configuration\n")
    end = text.index("\n## ", start + 1)
    found: set[str] = set()
    for line in text[start:end].splitlines():
        if not line.startswith("| `"):
            continue
        first_cell = line.split("|")[1]
        for written in re.findall(r"`([^`]+)`", first_cell):
            braces = re.fullmatch(r"(.*)\{(.*)\}(.*)", written)
            if braces:
                head, options, tail = braces.groups()
                found |= {f"{head}{option.strip()}{tail}" for option in options.split(",")}
            else:
                found.add(written)
    return found


def test_the_readme_table_lists_every_key_and_no_other():
    assert readme_table_keys() == schema_keys(SCHEMA)


def test_the_key_listings_see_nested_and_grouped_keys():
    # guards the helpers above: a listing that missed the nested keys would agree vacuously
    keys = schema_keys(SCHEMA)
    assert {"harvest.wash_sale.window_days", "tax.other_capital_gains.short_term", "accounts"} <= keys
    assert "tax.other_short_term" not in keys
    assert {"harvest.wash_sale.effective_from", "tax.carryforward.long_term"} <= readme_table_keys()
