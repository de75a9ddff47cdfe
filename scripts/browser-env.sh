# Shared by scripts/check-pages and scripts/browser-scenario (sourced, not run): installs the
# browser and the DevTools client when missing, and starts and stops a daemon on a throwaway
# database in a temporary directory. The sourcing script sets `bin`, `config` and `keep` first and
# calls `start_daemon` with its extra `serve` arguments; `base` is then the daemon's URL.

# The browser (and fonts with the Albanian and Serbian letters), from Debian, when missing.
packages=(chromium fonts-dejavu-core)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "$(basename "$0"): installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# .venv-browser/ with the pinned DevTools websocket client (as scripts/setup-ical-check does for
# .venv-ical/; nothing is installed when the pinned versions already are).
requirements=(
  websocket-client==1.9.2
)
venv=.venv-browser
stamp="$venv/.requirements"
wanted="$(printf '%s\n' "${requirements[@]}")"
if ! { [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; }; then
  python=""
  for candidate in "$(command -v python3 || true)" /usr/bin/python3; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import venv, ensurepip' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
  [ -n "$python" ] || { echo "$(basename "$0"): no python3 that can create virtualenvs (apt-get install python3-venv)" >&2; exit 1; }
  echo "$(basename "$0"): installing ${requirements[*]} into $venv with $python"
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
  printf '%s\n' "$wanted" >"$stamp"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$(basename "$0").XXXXXX")
database="$tmp/db.sqlite"
daemon=""
stop_daemon() {
  [ -n "$daemon" ] || return 0
  kill -TERM "$daemon" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$daemon" 2>/dev/null; then
    echo "$(basename "$0"): the daemon did not stop within 10 s of SIGTERM; killing it" >&2
    kill -KILL "$daemon" 2>/dev/null || true
  fi
  local status=0
  wait "$daemon" 2>/dev/null || status=$?
  [ "$status" -eq 0 ] || echo "$(basename "$0"): the daemon exited with status $status (log: $tmp/daemon.log)" >&2
  daemon=""
}
cleanup() {
  stop_daemon
  if [ "$keep" -eq 1 ]; then echo "$(basename "$0"): kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_daemon() {
  port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  # An unreachable broker: the daemon keeps retrying it and serves HTTP all the same.
  "$bin" serve --config "$config" --database "$database" --listen "127.0.0.1:$port" --mqtt mqtt://127.0.0.1:1 \
    "$@" >"$tmp/daemon.log" 2>&1 &
  daemon=$!
  deadline=$((SECONDS + 30))
  until curl -fsS -o /dev/null --max-time 2 "$base/healthz" 2>/dev/null; do
    if ! kill -0 "$daemon" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "$(basename "$0"): the daemon did not answer $base/healthz within 30 s; its log:" >&2
      tail -n 30 "$tmp/daemon.log" >&2
      exit 1
    fi
    sleep 0.2
  done
}
