#!/usr/bin/env bash
# Wrapper around the mongo image's entrypoint: a replica set with authentication needs a key
# file for internal authentication. A single node only authenticates to itself, so a random key
# created once on the config volume is enough (Kubernetes mounts one from a Secret instead).
set -euo pipefail
keyfile=/data/configdb/keyfile
if [ ! -s "$keyfile" ]; then
  head -c 756 /dev/urandom | base64 > "$keyfile"
fi
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"
exec docker-entrypoint.sh "$@"
