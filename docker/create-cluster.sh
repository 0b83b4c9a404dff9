#!/bin/sh
# Run once by the cluster-init service of docker-compose.yml: wait for the six nodes,
# then make them a cluster (3 masters, 1 replica each) unless they already are one.
set -e
# With a password (WORKSHOP_PASSWORD), redis-cli logs in with it: REDISCLI_AUTH is its -a.
if [ -n "$WORKSHOP_PASSWORD" ]; then export REDISCLI_AUTH="$WORKSHOP_PASSWORD"; fi
# With TLS (WORKSHOP_TLS), redis-cli speaks it with the certificates mounted at /tls.
tls=""
if [ -n "$WORKSHOP_TLS" ]; then tls="--tls --cacert /tls/ca.crt --cert /tls/client.crt --key /tls/client.key"; fi
for port in $PORTS; do
  until redis-cli $tls -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
done
first=${PORTS%% *}
if [ "$(redis-cli $tls -p "$first" cluster nodes | grep -c .)" -gt 1 ]; then
  echo "The nodes already form a cluster (restarted from their volumes): nothing to create."
  exit 0
fi
addresses=""
for port in $PORTS; do addresses="$addresses 127.0.0.1:$port"; done
# shellcheck disable=SC2086  # one argument per address and per TLS option
redis-cli $tls --cluster create $addresses --cluster-replicas 1 --cluster-yes
