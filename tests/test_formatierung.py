import datetime as dt

from kdworkbook.kern.formatierung import datum, euro, prozent, zahl


def test_zahl_german_grouping_and_commercial_rounding():
    assert zahl(1234.56, 1) == "1.234,6"
    assert zahl(1234567) == "1.234.567"
    assert zahl(2.5) == "3"
    assert zahl(0.125, 2) == "0,13"


def test_zahl_no_negative_zero_and_empty_for_missing():
    assert zahl(-0.04, 1) == "0,0"
    assert zahl(None) == ""
    assert zahl(float("nan")) == ""


def test_euro_prozent_datum():
    assert euro(1234.5) == "1.235\u00a0€"
    assert euro(25.5, 2) == "25,50\u00a0€"
    assert prozent(0.125) == "12,5\u00a0%"
    assert prozent(0.8, 0) == "80\u00a0%"
    assert datum(dt.date(2026, 11, 28)) == "28.11.2026"
