#!/usr/bin/env bash
# Sorgt dafür, dass ein Chromium/Chrome für den PDF-Druck vorhanden ist.
# Reihenfolge wie kdworkbook.browser.find_browser: $KDWORKBOOK_CHROMIUM, Debians chromium,
# Chrome auf dem PATH; fehlt alles, wird auf Debian/Ubuntu „chromium“ per apt-get installiert,
# sonst Playwrights eigener Browser (braucht Internet).
set -euo pipefail
python="${1:-python3}"

if [ -n "${KDWORKBOOK_CHROMIUM:-}" ] && [ -x "${KDWORKBOOK_CHROMIUM}" ]; then
  echo "Browser: ${KDWORKBOOK_CHROMIUM}"; exit 0
fi
for candidate in chromium chromium-browser google-chrome google-chrome-stable chrome; do
  if path=$(command -v "$candidate"); then echo "Browser: $path"; exit 0; fi
done

if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "Kein Chromium gefunden – installiere Debians Paket „chromium“ (apt-get) …"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core fonts-liberation >/dev/null
  echo "Browser: $(command -v chromium)"; exit 0
fi

echo "Kein Chromium gefunden und kein apt-get – lade Playwrights Chromium (Internet nötig) …"
"$python" -m playwright install chromium || {
  echo "PDF-Druck braucht Chromium oder Chrome. Bitte installieren oder KDWORKBOOK_CHROMIUM" \
       "auf das Programm setzen." >&2
  exit 1
}
