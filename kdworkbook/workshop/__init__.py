"""Workshop-Modus: die Maßnahmenentwicklung als App, Rückschreiben in die Parameterdatei."""
