"""The shared model basics: strict base model, German date type, German messages."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import Field, ValidationError

from kdworkbook.kern.modell import GermanDate, StrictModel, german, key_path, parse_date


class _Beispiel(StrictModel):
    tag: GermanDate
    bis: GermanDate | None = None
    anzahl: int = Field(default=0, ge=0)


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.date(2026, 11, 28), dt.date(2026, 11, 28)),
        ("2026-11-28", dt.date(2026, 11, 28)),
        ("28.11.2026", dt.date(2026, 11, 28)),
        (" 1.2.2027 ", dt.date(2027, 2, 1)),
        (dt.datetime(2026, 11, 28), dt.date(2026, 11, 28)),  # midnight: a date
    ],
)
def test_german_date_accepts(value: object, expected: dt.date) -> None:
    assert _Beispiel(tag=value).tag == expected
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    ["31.02.2026", "2026-02-30", "morgen", "28.11.26", "20261128", "", 20261128,
     dt.datetime(2026, 11, 28, 10, 30)],
)  # fmt: skip
def test_german_date_refuses_with_one_german_message(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        _Beispiel(tag=value)
    [error] = info.value.errors()
    assert german(error) == (
        f"erwartet ein Datum TT.MM.JJJJ oder JJJJ-MM-TT, z. B. 28.11.2026, gefunden: {value!r}"
    )


def test_optional_german_date_stays_empty() -> None:
    assert _Beispiel(tag="28.11.2026").bis is None
    assert _Beispiel(tag="28.11.2026", bis=None).bis is None


def test_strict_model_refuses_unknown_keys_and_changes() -> None:
    with pytest.raises(ValidationError) as info:
        _Beispiel(tag="28.11.2026", farbe="rot")
    [error] = info.value.errors()
    assert german(error) == "ist kein bekannter Schlüssel (Tippfehler?)"
    beispiel = _Beispiel(tag="28.11.2026")
    with pytest.raises(ValidationError):
        beispiel.anzahl = 3


def test_german_messages_of_usual_errors() -> None:
    with pytest.raises(ValidationError) as info:
        _Beispiel(anzahl=-5)
    by_field = {e["loc"][0]: german(e) for e in info.value.errors()}
    assert by_field == {
        "tag": "fehlt – dieser Schlüssel ist Pflicht",
        "anzahl": "erwartet eine Zahl ≥ 0, gefunden: -5",
    }
    with pytest.raises(ValidationError) as info:
        _Beispiel(tag="28.11.2026", anzahl="viele")
    assert german(info.value.errors()[0]) == "erwartet eine ganze Zahl, gefunden: 'viele'"


def test_key_path_counts_list_positions_from_one() -> None:
    assert key_path(("bestand", 1, "datei")) == "bestand → 2 → datei"
    assert key_path(()) == ""
