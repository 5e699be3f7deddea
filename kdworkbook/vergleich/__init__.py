"""Interkommunaler Vergleich: anonymisierter Auszug je Lauf (``vergleich.json``) und seine
Sammlung in einem Ordner der Agentur."""
