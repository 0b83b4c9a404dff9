#!/usr/bin/env bash
# Build a Redis image from this machine's own redis-server, for machines that cannot pull
# from a registry (CI here). Prints the image name, to pass as REDIS_IMAGE.
# It holds redis-server, redis-cli and redis-benchmark (the official image has all three), and
# sh, sleep and grep for the healthcheck and init script.
set -euo pipefail
version=$(redis-server --version | sed -E 's/.* v=([0-9.]+).*/\1/')
name=${1:-redis-workshop-local:$version}
# An image built before it held redis-benchmark is built again.
if docker image inspect "$name" >/dev/null 2>&1; then
  if docker run --rm "$name" redis-benchmark --version >/dev/null 2>&1; then echo "$name"; exit 0; fi
  docker rmi "$name" >/dev/null
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/bin" "$root/data" "$root/tmp" "$root/etc/workshop"
cp "$(command -v redis-server)" "$(command -v redis-cli)" "$(command -v redis-benchmark)" "$root/usr/local/bin/"
for tool in sh sleep grep; do cp "$(readlink -f "$(command -v "$tool")")" "$root/bin/$tool"; done
for binary in "$root"/usr/local/bin/* "$root"/bin/*; do
  for lib in $(ldd "$binary" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
done
tar -C "$root" -c . | docker import --change 'ENV PATH=/usr/local/bin:/bin' \
  --change 'WORKDIR /data' - "$name" >/dev/null
echo "$name"
