"""The bundled tax parameters are read with libyaml's parser when PyYAML has it (a tenth of the
pure-Python parser's time on every start's first tax figure): the same parameters, exactly."""

from __future__ import annotations

import pytest
import yaml

from engine.tax import params


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_the_bundled_parameters_are_the_pure_python_parsers():
    assert params.FAST_SAFE_LOADER is yaml.CSafeLoader
    pure = params.parse_tax_params(params.bundled_text(), "bundled", yaml.SafeLoader)
    assert params.load_tax_params() == pure
    assert pure.years  # not two empty sets of years
