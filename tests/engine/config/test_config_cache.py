"""The parsed-config cache (engine.config.cache): the same Config as a parse, served only for the
very text parsed, owner-only, and never in the way (a bad file is parsed around)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from engine.config import cache, load
from engine.config.load import load_config, parse_config
from engine.core.errors import ConfigError
from tests.support import ROOT

EXAMPLE = (ROOT / "config.example.yaml").read_text()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HARVEST_CONFIG", raising=False)
    return tmp_path


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on a parse fails the test: what loads came from the cache."""

    def refuse(text: str, path: Path | None = None) -> None:
        raise AssertionError("parsed, not served from the cache")

    monkeypatch.setattr(load, "parse_config", refuse)


def test_an_unchanged_file_is_served_from_the_cache_as_parsed(home, monkeypatch):
    config_file = home / "config.yaml"
    config_file.write_text(EXAMPLE)
    parsed = load_config(str(config_file))
    assert parsed == parse_config(EXAMPLE, config_file)
    written = home / "home" / cache.NAME
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert [p.name for p in written.parent.iterdir()] == [cache.NAME]  # no temp file left behind
    no_parsing(monkeypatch)
    served = load_config(str(config_file))
    assert served == parsed
    assert served.path == config_file
    assert served is not parsed


def test_an_edit_is_never_missed_even_with_the_same_size_and_times(home, monkeypatch):
    config_file = home / "config.yaml"
    config_file.write_text("tax:\n  timezone: America/New_York\n")
    times = config_file.stat()
    assert load_config(str(config_file)).tax.timezone == "America/New_York"
    config_file.write_text("tax:\n  timezone: America/Santiago\n")  # the same length
    os.utime(config_file, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert config_file.stat().st_size == times.st_size
    assert load_config(str(config_file)).tax.timezone == "America/Santiago"


def test_the_same_text_at_another_path_is_parsed_for_that_path(home):
    first, second = home / "a.yaml", home / "b.yaml"
    first.write_text(EXAMPLE)
    second.write_text(EXAMPLE)
    assert load_config(str(first)).path == first
    assert load_config(str(second)).path == second


def test_other_code_never_reads_what_this_code_cached(home, monkeypatch):
    config_file = home / "config.yaml"
    config_file.write_text(EXAMPLE)
    load_config(str(config_file))
    monkeypatch.setattr(cache, "code_fingerprint", lambda: b"another harvest")
    calls = []
    real = load.parse_config
    monkeypatch.setattr(load, "parse_config", lambda text, path=None: calls.append(path) or real(text, path))
    load_config(str(config_file))
    assert calls == [config_file]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda f: f.write_bytes(b"not a cache"),
        lambda f: f.write_bytes(f.read_bytes()[:-20]),  # cut short
        lambda f: f.write_bytes(f.read_bytes()[:65] + b"\x80\x05junk"),  # the key, then no pickle
        lambda f: f.chmod(0o666),  # writable by others: never unpickled
    ],
    ids=["garbage", "truncated", "bad-pickle", "others-may-write"],
)
def test_a_bad_cache_file_is_parsed_around_and_rewritten(home, spoil):
    config_file = home / "config.yaml"
    config_file.write_text(EXAMPLE)
    parsed = load_config(str(config_file))
    written = home / "home" / cache.NAME
    spoil(written)
    assert cache.cached_config(home / "home", config_file, EXAMPLE) is None
    assert load_config(str(config_file)) == parsed
    assert cache.cached_config(home / "home", config_file, EXAMPLE) == parsed
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_nothing_is_written_where_there_is_no_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "not-yet"))
    config_file = tmp_path / "config.yaml"
    config_file.write_text(EXAMPLE)
    assert load_config(str(config_file)) == parse_config(EXAMPLE, config_file)
    assert not (tmp_path / "not-yet").exists()


def test_a_bad_config_is_never_cached_and_fails_the_same_way_again(home):
    config_file = home / "config.yaml"
    config_file.write_text("lots:\n  methd: fifo\n")
    for _ in range(2):
        with pytest.raises(
            ConfigError, match=r"config.yaml:2: lots.methd: unknown key \(did you mean lots.method"
        ):
            load_config(str(config_file))
    assert not (home / "home" / cache.NAME).exists()


def test_credentials_readable_by_others_are_refused_on_every_load(home):
    """The file's own mode is checked on each load, served from the cache or not."""
    config_file = home / "config.yaml"
    config_file.write_text("accounts:\n  - name: k\n    exchange: kraken\n    ccxt:\n      apiKey: abc\n")
    config_file.chmod(0o600)
    assert load_config(str(config_file)).accounts[0].ccxt == {"apiKey": "abc"}
    config_file.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_config(str(config_file))
    assert not (home / "home" / cache.NAME).exists()  # keys written in the config are copied nowhere


def test_numbers_keep_the_digits_written_through_the_cache(home, monkeypatch):
    """A YAML float in a raw mapping (ccxt options) keeps its text (ExactFloat), cached or not."""
    config_file = home / "config.yaml"
    config_file.write_text(
        "accounts:\n  - name: k\n    exchange: kraken\n    ccxt:\n      rate: 0.1000000000000000055511\n"
    )
    config_file.chmod(0o600)
    parsed = load_config(str(config_file))
    no_parsing(monkeypatch)
    served = load_config(str(config_file))
    assert served == parsed
    assert served.accounts[0].ccxt["rate"].text == "0.1000000000000000055511"
    assert type(served.accounts[0].ccxt["rate"]) is type(parsed.accounts[0].ccxt["rate"])


def test_parse_ahead_says_when_a_load_would_parse_and_keep_the_config(home, tmp_path, monkeypatch):
    """load.parse_ahead (tui.cli.import_ahead forks for it): a config file to read, a data
    directory, and no parse of this very text cached — asked from the cache's key alone."""
    config_file = home / "config.yaml"
    assert load.parse_ahead(str(config_file)) is False  # no config file
    config_file.write_text(EXAMPLE)
    assert load.parse_ahead(str(config_file)) is True
    load_config(str(config_file))
    assert load.parse_ahead(str(config_file)) is False  # cached
    config_file.write_text(EXAMPLE + "\n# edited\n")
    assert load.parse_ahead(str(config_file)) is True
    load_config(str(config_file))
    (home / "home" / cache.NAME).chmod(0o666)  # a cache file load would not read
    assert load.parse_ahead(str(config_file)) is True
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "nowhere"))  # no data directory
    assert load.parse_ahead(str(config_file)) is False
    monkeypatch.setenv("HARVEST_HOME", str(config_file))  # a file, not a directory
    assert load.parse_ahead(str(config_file)) is False
