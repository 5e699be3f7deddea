"""Ausführung: ein Lauf je Kommune, Stapel, Schritte, Protokoll (lauf.json)."""
