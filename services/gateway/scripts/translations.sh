#!/usr/bin/env bash
# The portal's gettext catalogue (Danish source strings, English translations):
#   scripts/translations.sh update    extract every string and merge it into translations/en/.../messages.po
#   scripts/translations.sh compile   build the .mo files the portal loads (make portal-assets does this)
# Then translate what `update` added (empty msgstr) and run the catalogue test:
#   .venv/bin/pytest -q services/gateway -k catalogue
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-../../.venv/bin}"
CATALOGUES=src/gateway/translations
POT="$(mktemp --suffix=.pot)"
trap 'rm -f "$POT"' EXIT
case "${1:-}" in
  update)
    "$BIN/pybabel" extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
      --project=chora-gateway --copyright-holder="CHORA 2030" -o "$POT" src/gateway
    if [ -f "$CATALOGUES/en/LC_MESSAGES/messages.po" ]; then
      "$BIN/pybabel" update -i "$POT" -d "$CATALOGUES" -l en --no-fuzzy-matching --ignore-obsolete
    else
      "$BIN/pybabel" init -i "$POT" -d "$CATALOGUES" -l en
    fi ;;
  compile)
    "$BIN/pybabel" compile -d "$CATALOGUES" ;;
  *) echo "usage: $0 update|compile" >&2; exit 2 ;;
esac
