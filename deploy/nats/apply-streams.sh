#!/bin/sh
# Create or update every JetStream stream described by a JSON file in a directory.
# Usage: NATS_URL=nats://host:4222 deploy/nats/apply-streams.sh [dir]   (needs the `nats` CLI)
# Used by the compose `nats-streams` job (natsio/nats-box) and by hand against Kubernetes.
set -eu

dir="${1:-$(dirname "$0")/streams}"
server="${NATS_URL:-nats://127.0.0.1:4222}"

# Replicated streams can only be created once the cluster has a JetStream meta leader.
tries=0
until nats --server "$server" account info >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge 60 ]; then
    echo "JetStream at $server did not become available" >&2
    exit 1
  fi
  sleep 2
done

for file in "$dir"/*.json; do
  name=$(basename "$file" .json)
  if nats --server "$server" stream info "$name" >/dev/null 2>&1; then
    nats --server "$server" stream edit "$name" --config "$file" --force
  else
    nats --server "$server" stream add --config "$file"
  fi
  echo "stream $name applied from $file"
done
