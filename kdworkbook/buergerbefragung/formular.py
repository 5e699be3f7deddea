"""The printable A4 form for the Bürgerbüro counter: HTML, printed by the report's Chromium.

Body text 10 pt, table text 9,5 pt (house style: body ≥ 10 pt, tables ≥ 8 pt; the issue asks
≥ 9 pt for the form). Answer boxes are drawn with CSS, so no font needs a ballot-box glyph.
"""

from __future__ import annotations

from html import escape

from kdworkbook.buergerbefragung.fragebogen import GENUTZT, ONLINE, Frage, Fragebogen

STYLE = """
@page { size: A4; margin: 15mm 15mm 18mm 15mm; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 10pt;
       color: #111; }
h1 { font-size: 15pt; margin: 0 0 3mm 0; }
h2 { font-size: 11.5pt; margin: 5mm 0 2mm 0; }
p { margin: 0 0 2mm 0; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border-bottom: 0.5pt solid #9aa5b1; padding: 1.2mm 1mm; text-align: center; }
th { font-weight: bold; }
td.leistung, th.leistung { text-align: left; }
tr { break-inside: avoid; }
.box { display: inline-block; width: 3.2mm; height: 3.2mm; border: 0.8pt solid #111; }
.trenner { border-left: 1pt solid #111; }
ul.wahl { list-style: none; padding: 0; margin: 0; }
ul.wahl li { margin: 1mm 0; }
.linie { border-bottom: 0.5pt solid #111; height: 7mm; }
"""


def _box() -> str:
    return '<span class="box"></span>'


def _services(fb: Fragebogen) -> str:
    used, online = fb.frage(GENUTZT), fb.frage(ONLINE)
    head = (
        '<tr><th class="leistung" rowspan="2">Leistung</th>'
        f'<th colspan="{len(used.antworten)}">{escape(used.text)}</th>'
        f'<th class="trenner" colspan="{len(online.antworten)}">{escape(online.text)}</th></tr>'
        "<tr>"
        + "".join(f"<th>{escape(v)}</th>" for v in used.antworten.values())
        + "".join(
            f"<th{' class=trenner' if i == 0 else ''}>{escape(v)}</th>"
            for i, v in enumerate(online.antworten.values())
        )
        + "</tr>"
    )
    rows = "".join(
        f'<tr><td class="leistung">{escape(name)}</td>'
        + "".join(f"<td>{_box()}</td>" for _ in used.antworten)
        + "".join(
            f"<td{' class=trenner' if i == 0 else ''}>{_box()}</td>"
            for i, _ in enumerate(online.antworten)
        )
        + "</tr>"
        for name in used.unterfragen.values()
    )
    return f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>"


def _choice(f: Frage) -> str:
    if f.freitext:
        return f"<h2>{escape(f.text)}</h2>" + '<div class="linie"></div>' * 3
    items = "".join(f"<li>{_box()} {escape(v)}</li>" for v in f.antworten.values())
    return f'<h2>{escape(f.text)}</h2><ul class="wahl">{items}</ul>'


def form_html(fb: Fragebogen, gemeinde: str) -> str:
    """The whole form as one HTML document (no scripts, no external resources)."""
    others = "".join(_choice(f) for f in fb.fragen if f.code not in (GENUTZT, ONLINE))
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        f"<title>{escape(fb.titel)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(fb.titel)}</h1>"
        f"<p>Die {escape(gemeinde)} möchte wissen, welche Verwaltungsleistungen Sie online "
        "erledigen würden. Die Teilnahme ist freiwillig und anonym; ausgewertet werden nur "
        "Summen, Gruppen mit weniger als fünf Antworten werden nicht gezeigt. Bitte je Zeile "
        "ein Kästchen ankreuzen.</p>"
        f"<h2>Verwaltungsleistungen</h2>{_services(fb)}{others}"
        "<p style='margin-top:5mm'>Vielen Dank! Bitte geben Sie den Bogen im Bürgerbüro ab.</p>"
        "</body></html>"
    )
