#!/usr/bin/env bash
# Run a command on this machine as if Redis were not installed: a student with Docker alone.
#   tests/without-redis.sh COMMAND...      (make test-notebooks-docker)
# In a private mount namespace, /dev/null is bound over redis-server, redis-cli, redis-benchmark
# and the rest of Redis's programs, so any use of them fails; the rest of the machine is as it
# was, and nothing changes outside the command. Root uses `unshare --mount`; others get a user
# namespace of their own (`unshare --map-root-user`) where they may mount.
set -euo pipefail
if [ -z "${WITHOUT_REDIS_INSIDE:-}" ]; then
  namespace=(--mount --propagation private)
  [ "$(id -u)" = 0 ] || namespace=(--map-root-user "${namespace[@]}")
  # macOS has no unshare; some Linux systems forbid user namespaces to non-root users.
  if ! unshare "${namespace[@]}" true 2>/dev/null; then
    [ "${CI:-}" = true ] && { echo "without-redis: CI=true and this machine cannot unshare a mount namespace"; exit 1; }
    echo "without-redis: skipped, this machine cannot unshare a mount namespace (run as root on Linux)"; exit 0
  fi
  exec unshare "${namespace[@]}" env WITHOUT_REDIS_INSIDE=1 "$0" "$@"
fi
IFS=: read -ra directories <<< "$PATH"
for directory in "${directories[@]}"; do
  for program in redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb redis-sentinel; do
    if [ -x "$directory/$program" ]; then mount --bind /dev/null "$(readlink -f "$directory/$program")"; fi
  done
done
exec "$@"
