"""Schritt Musterprozess: Prozessmodell, BPMN-Import, Kennzahlen, Kapitel."""
