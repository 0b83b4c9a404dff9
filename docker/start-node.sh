#!/bin/sh
# Start one node of docker-compose.yml: `start-node.sh <redis-server arguments>`.
# First create the node's ACL file in its volume unless it exists: redis-server refuses to
# start when its `aclfile` (node.conf) is missing, and ACL SAVE rewrites it afterwards.
# Once an ACL file is loaded Redis ignores requirepass, so the file carries the password
# (WORKSHOP_PASSWORD) as the default user's.
set -e
acl=/data/users.acl
if [ ! -e "$acl" ]; then
  if [ -n "$WORKSHOP_PASSWORD" ]; then
    echo "user default on >$WORKSHOP_PASSWORD ~* &* +@all" > "$acl"
  else
    : > "$acl"
  fi
fi
# TLS only (WORKSHOP_TLS=yes): the node's port speaks TLS, and so do the cluster bus and
# replication. The certificates are copied into the volume, which the official image's
# entrypoint gives to the `redis` user that runs the server (the mounted key is readable by its
# owner only); with the shell's own read and printf, since a minimal image has no cp.
if [ -n "$WORKSHOP_TLS" ]; then
  port=""; previous=""
  for argument in "$@"; do
    if [ "$previous" = "--port" ]; then port="$argument"; fi
    previous="$argument"
  done
  umask 077  # the key copied is readable by its owner only
  for file in ca.crt node.crt node.key; do
    while IFS= read -r line; do printf '%s\n' "$line"; done < "/tls/$file" > "/data/tls-$file"
  done
  set -- "$@" --port 0 --tls-port "$port" --tls-cert-file /data/tls-node.crt \
    --tls-key-file /data/tls-node.key --tls-ca-cert-file /data/tls-ca.crt \
    --tls-cluster yes --tls-replication yes --tls-auth-clients optional
fi
# The official image's entrypoint gives /data to the `redis` user and runs the server as it.
if command -v docker-entrypoint.sh >/dev/null 2>&1; then
  exec docker-entrypoint.sh redis-server "$@"
fi
exec redis-server "$@"
