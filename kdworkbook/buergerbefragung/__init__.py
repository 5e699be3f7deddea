"""Bürgerbefragung: questionnaire from the municipality's services, LimeSurvey import and
export, demand score per service feeding the prioritisation criterion ``buergernachfrage``."""
