"""kdworkbook – Strategie-Arbeitsmappe von KommunalDigital.NRW."""

__version__ = "0.1.0"
