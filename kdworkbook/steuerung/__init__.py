"""Projektsteuerung nach dem Workshop: stabile Kennungen für Prozesse und Maßnahmen."""
