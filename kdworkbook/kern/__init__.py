"""Was alle Schritte teilen: Parameterdatei, YAML, Fehler, deutsche Formate, Standardwerte."""
