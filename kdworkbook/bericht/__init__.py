"""Bericht: HTML und PDF (Chromium), Excel-Anhang, Tabellen und Diagramme."""
