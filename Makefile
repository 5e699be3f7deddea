# kdworkbook – Strategie-Arbeitsmappe KommunalDigital.NRW
# „make help“ listet alle Ziele.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PARAMS ?= parameters/musterstadt.yaml

.DEFAULT_GOAL := help
.PHONY: help setup browser demo demo-fortschreibung run check test test-schnell bench lint format env-check clean-outputs

help: ## Diese Übersicht
	@grep -E '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(BIN)/.installiert: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "Python 3.11 oder neuer wird benötigt ($(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(BIN)/.installiert browser ## Umgebung (.venv) und Browser für den PDF-Druck einrichten

browser: ## Chromium suchen, auf Debian/Ubuntu bei Bedarf per apt-get installieren
	@bash scripts/ensure-browser.sh $(BIN)/python

demo: setup ## Bericht der Demo-Kommune „Stadt Musterstadt“ erzeugen (Pfad wird ausgegeben)
	$(BIN)/kdworkbook run parameters/musterstadt.yaml

demo-fortschreibung: setup ## Demo-Kommune, zweite Runde (Stichtag 28.05.2027) mit Kapitel Fortschreibung; vorher Runde 1
	$(BIN)/kdworkbook run parameters/musterstadt.yaml
	$(BIN)/kdworkbook run parameters/musterstadt-2027.yaml

run: setup ## Bericht für eine Kommune: make run PARAMS=parameters/<kommune>.yaml
	$(BIN)/kdworkbook run $(PARAMS)

check: $(BIN)/.installiert ## Parameterdatei und Bestandserhebung prüfen: make check PARAMS=…
	$(BIN)/kdworkbook check $(PARAMS)

test: setup ## Alle Tests (wie in CI)
	$(BIN)/python -m pytest

test-schnell: $(BIN)/.installiert ## Schnelle Tests: reine Logik, ohne Kernel, Browser, Excel-Dateien, Unterprozesse (< 30 s)
	$(BIN)/python -m pytest -q -m "not kernel and not browser and not excel and not prozess"

bench: setup ## Leistungsmessungen (Markdown-Tabelle; Ziele, keine Testbedingungen)
	$(BIN)/python scripts/bench.py

.PHONY: stapel-nrw
NRW ?= /tmp/kdworkbook-nrw
stapel-nrw: setup ## Alle 396 Kommunen NRWs synthetisch rechnen: make stapel-nrw [NRW=ordner] [ANZAHL=8] [J=2]
	$(BIN)/python scripts/stapel_nrw.py $(NRW) $(if $(ANZAHL),--anzahl $(ANZAHL)) $(if $(J),-j $(J))

lint: $(BIN)/.installiert ## Stilprüfung mit ruff
	$(BIN)/ruff check kdworkbook tests scripts

format: $(BIN)/.installiert ## Code mit ruff formatieren
	$(BIN)/ruff format kdworkbook tests scripts

environment.yml: pyproject.toml ## environment.yml aus pyproject.toml neu erzeugen
	bash scripts/environment.sh environment.yml

env-check: $(BIN)/.installiert ## Prüfen, ob environment.yml zu pyproject.toml passt
	$(BIN)/python -m pytest -q tests/test_umgebung.py

clean-outputs: ## Alle erzeugten Berichte unter outputs/ löschen
	find outputs -mindepth 1 -not -name .gitkeep -delete
