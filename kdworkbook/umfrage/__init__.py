"""Erhebungsinstrument: Arbeitsmappen je Fachamt, Versand, Rücklauf."""
