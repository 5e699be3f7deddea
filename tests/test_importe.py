"""The main process loads what only the report needs after the kernels have started.

Before the first kernel starts, ``kdworkbook run`` imports the runner and checks the inputs;
Word (python-docx, pandoc), the slides (python-pptx), cairosvg, nbconvert, BeautifulSoup,
Playwright, pypdf, seaborn, matplotlib and the hyphenation dictionary are loaded only where
they are used (report phase, printing process, kernels). Checked in a fresh interpreter,
without timing anything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import DEMO

pytestmark = pytest.mark.prozess  # a fresh Python process: its own sys.modules

HEAVY = (
    "docx",
    "pypandoc",
    "pptx",
    "cairosvg",
    "cairocffi",
    "nbconvert",
    "bs4",
    "playwright",
    "pypdf",
    "seaborn",
    "matplotlib",  # the check draws no chart (kern.gestaltung.use_for_charts)
)

_PROBE = """
import json, sys
from pathlib import Path
from kdworkbook import cli
from kdworkbook.lauf import lauf, schritte, stapel
from kdworkbook.bestand.laden import load_bestand
from kdworkbook.bericht import dokument
ba = load_bestand(Path(sys.argv[1]))
schritte.summary(ba)
schritte.report_notebooks(ba, lauf.step_notebooks())
dokument.ReportJob([Path("00_zusammenfassung.ipynb")], None)
import pyphen
print(json.dumps({"geladen": [m for m in sys.argv[2:] if m in sys.modules],
                  "woerterbuecher": len(pyphen.hdcache)}))
"""


def test_the_check_before_the_kernels_loads_nothing_of_the_report_phase():
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(DEMO), *HEAVY],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found == {"geladen": [], "woerterbuecher": 0}
