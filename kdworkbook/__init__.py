"""kdworkbook – Strategie-Arbeitsmappe von KommunalDigital.NRW."""

from kdworkbook._importe import defer_iri_parser

__version__ = "0.1.0"

defer_iri_parser()
