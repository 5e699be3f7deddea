#!/usr/bin/env bash
# Erzeugt environment.yml (conda) aus pyproject.toml – die einzige Quelle der Abhängigkeiten.
# Aufruf: scripts/environment.sh [AUSGABE]   (ohne AUSGABE: auf die Standardausgabe)
set -euo pipefail
bin="$(dirname "$0")/../.venv/bin"
out="${1:--}"
args=(yaml -e dev -c conda-forge --name kdworkbook --python-include infer -r "-e ."
      --custom-command "make environment.yml")
if [ "$out" = "-" ]; then
  "$bin/pyproject2conda" "${args[@]}"
else
  "$bin/pyproject2conda" "${args[@]}" -o "$out" -w force
fi
