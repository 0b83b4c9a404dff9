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
# The official image's entrypoint gives /data to the `redis` user and runs the server as it.
if command -v docker-entrypoint.sh >/dev/null 2>&1; then
  exec docker-entrypoint.sh redis-server "$@"
fi
exec redis-server "$@"
