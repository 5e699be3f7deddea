"""Schritt Bestandsaufnahme: Erhebung einlesen, Kennzahlen, Kapitel."""
