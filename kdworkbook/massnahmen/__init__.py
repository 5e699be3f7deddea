"""Schritt Maßnahmenentwicklung: Priorisierung, Maßnahmen, Plan, Kapitel, Excel."""
