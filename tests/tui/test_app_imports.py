"""The app (tui outside tui/cli) reaches the exchanges only through a runner the command line
builds: loading it never imports ccxt or engine.exchanges."""

from __future__ import annotations

import subprocess
import sys


def test_the_app_loads_neither_ccxt_nor_the_exchange_layer():
    probe = (
        "import tui.app, tui.testing, tui.screens.detail, tui.screens.tax_profile\n"
        "import sys\nprint(' '.join(sorted(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(result.stdout.split())
    assert not {name for name in loaded if name == "ccxt" or name.startswith(("ccxt.", "engine.exchanges"))}
    assert not {name for name in loaded if name.startswith("tui.cli")}
