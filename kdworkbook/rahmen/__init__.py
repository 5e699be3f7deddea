"""Schritt Rahmenbedingungen: Pflichten, LeiKa, Geeignetheit, Reifegrad, Kapitel."""
