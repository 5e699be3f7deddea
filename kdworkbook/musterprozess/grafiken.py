"""Charts of the Musterprozess: the IST/SOLL comparison.

Built like :mod:`kdworkbook.bericht.grafiken` (matplotlib Figure without pyplot, A4 width). The
process diagrams themselves are BPMN, drawn by bpmn-js: :mod:`kdworkbook.musterprozess.bpmn_bild`.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from kdworkbook.bericht.grafiken import ACCENT, PAGE_WIDTH_IN
from kdworkbook.kern import defaults
from kdworkbook.kern.formatierung import zahl
from kdworkbook.musterprozess.kennzahlen import Kennzahlen

BREAK_COLOR = "#c00000"
SOLL_COLOR = "#6aa84f"


#: Panels of the comparison chart: (attribute of Kennzahlen, title, unit, factor).
PANELS = (
    ("verwaltung_min", "Bearbeitungszeit Verwaltung", "Min./Fall", 1),
    ("buerger_min", "Zeitaufwand Bürger", "Min./Fall", 1),
    ("durchlaufzeit_min", "Durchlaufzeit", "Tage", 1 / defaults.MINUTEN_JE_TAG),
    ("medienbrueche", "Medienbrüche", "je Fall", 1),
    ("uebergaben", "Übergaben", "je Fall", 1),
    ("unterlagen_buerger", "Unterlagen vom Bürger", "Anzahl", 1),
)


def comparison_chart(ist: Kennzahlen, soll: Kennzahlen) -> Figure:
    """IST vs SOLL side by side, one small panel per figure (each with its own scale); a
    value that is not computable gets no bar but the words „nicht berechenbar“ (documents
    without a list: „keine Angabe“); one computed without some steps is marked with „*“."""
    fig = Figure(figsize=(PAGE_WIDTH_IN, 3.6), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    starred = False
    for ax, (attr, title, unit, factor) in zip(axes, PANELS, strict=True):
        raw = [getattr(ist, attr), getattr(soll, attr)]
        values = [0.0 if v is None else v * factor for v in raw]
        bars = ax.bar(["IST", "SOLL"], values, color=[ACCENT, SOLL_COLOR], width=0.6)
        top = max(values) * 1.25 or 1
        partial = [attr in k.luecken and not k.luecken[attr].alle for k in (ist, soll)]
        starred = starred or any(partial)
        for bar, value, given, star in zip(bars, values, raw, partial, strict=True):
            x = bar.get_x() + bar.get_width() / 2
            if given is None:
                missing = "keine\nAngabe" if attr.startswith("unterlagen") else "nicht\nberechenbar"
                ax.text(x, top * 0.05, missing, ha="center", va="bottom", color=BREAK_COLOR)
                continue
            digits = 0 if float(value).is_integer() or value >= 10 else 1
            ax.annotate(
                zahl(value, digits) + ("*" if star else ""),
                (x, value),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
            )
        ax.set_title(f"{title}\n({unit})", loc="left")
        ax.set_ylim(0, top)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
    title = "IST und SOLL im Vergleich"
    if starred:
        title += "   (* ohne die Schritte, denen die Angabe fehlt – siehe Tabelle)"
    fig.suptitle(title, x=0.02, ha="left")
    return fig
