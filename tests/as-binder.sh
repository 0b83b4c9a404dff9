#!/usr/bin/env bash
# The notebooks as Binder runs them (binder/): a non-root user, a copy of the repository in its
# home, a fresh virtual environment with only what binder/ installs, the local backend, no Docker.
#   tests/as-binder.sh        (make test-binder; CI runs it as root, which creates the user)
# pytest and nbval are added to check the notebooks; binder/start runs them, as it runs JupyterLab,
# which must then open without the "Jupyter news?" question.
# Fails if a redis-server it started is left running afterwards.
set -euo pipefail
if ! command -v runuser >/dev/null || ! command -v getent >/dev/null; then  # Linux's util-linux
  [ "${CI:-}" = true ] && { echo "as-binder: CI=true and runuser or getent is missing"; exit 1; }
  echo "as-binder: skipped, it needs Linux (runuser, getent)"; exit 0
fi
repo=$(cd "$(dirname "$0")/.." && pwd)
user=$(id -un)
created=""
if [ "$(id -u)" = 0 ]; then
  user=workshop-student
  if ! id "$user" >/dev/null 2>&1; then useradd --create-home --shell /bin/bash "$user"; created=1; fi
fi
home=$(getent passwd "$user" | cut -d: -f6)
work=$(mktemp -d "$home/binder-test-XXXX")
# The copy goes; so do the user and its home when this run created them.
trap 'rm -rf "$work"; if [ -n "$created" ]; then userdel --remove "$user" 2>/dev/null || true; fi' EXIT
# Binder copies the repository into the user's home: its files, without what .gitignore leaves out.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -c) | tar -C "$work" -x
chown -R "$user" "$work"
# The machine's way to PyPI (a mirror, a proxy) is the student's too, as Binder has its own:
# pip's settings and the proxy variables carry over, nothing else of this environment.
if [ "$(id -u)" = 0 ] && [ -f "$HOME/.config/pip/pip.conf" ]; then
  install -d -o "$user" "$home/.config" "$home/.config/pip"  # the user's own (matplotlib writes there)
  install -o "$user" -m 644 "$HOME/.config/pip/pip.conf" "$home/.config/pip/pip.conf"
fi
mapfile -t carried < <(env | grep -E '^(PIP_[A-Z_]+|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)=' || true)
before=$(pgrep -u "$user" -d ' ' redis-server || true)  # a developer's own cluster is not ours
# Binder installs the newest versions requirements.txt allows, not constraints.txt's: so does
# this test, with the machine's own python3, so a release upstream that breaks a notebook shows.
script="cd '$work'
python3 -m venv venv && export PATH=\"\$PWD/venv/bin:\$PATH\"
pip install --quiet --upgrade pip
pip install --quiet -r binder/requirements.txt
binder/postBuild >/dev/null
pip install --quiet \$(grep -E '^(pytest|nbval|pytest-timeout)[<>=]' requirements-dev.txt)
binder/start python -m pytest --nbval notebooks --ignore=notebooks/fr
# JupyterLab as Binder starts it (binder/start): its page must turn the news question off.
binder/start jupyter lab --no-browser --ServerApp.port=18999 --ServerApp.port_retries=50 \\
  --ServerApp.ip=127.0.0.1 --IdentityProvider.token=binder-test > lab.log 2>&1 &
status=0; python tests/lab_asks_nothing.py lab.log binder-test || status=\$?
kill %1; wait || true; exit \$status"
if [ "$(id -u)" = 0 ]; then
  runuser -u "$user" -- env -i HOME="$home" USER="$user" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    "${carried[@]}" bash -euo pipefail -c "$script"
else
  env -i HOME="$home" USER="$user" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${carried[@]}" \
    bash -euo pipefail -c "$script"
fi
for pid in $(pgrep -u "$user" redis-server || true); do
  if [[ " $before " != *" $pid "* ]]; then
    echo "as-binder: a redis-server of the run is still running:"; ps -o pid,args -p "$pid"; exit 1
  fi
done
