#!/usr/bin/env bash
# Installs and starts everything Sluice needs, idempotently: npm packages, the Python venv
# with a pinned meltano and the plugins the tests run (the others install on first use), and Postgres, Redis and ClickHouse
# when nothing answers on the configured URLs (Debian packages, data under .data/), plus a
# second PostgreSQL for test and demo sources (SLUICE_SOURCE_DATABASE_URL, port 5433).
# A second run only checks stamps and ports, and takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
data="$root/.data"
mkdir -p "$data/stamps"
[ -n "${SLUICE_STARTED_FILE:-}" ] && : >"$SLUICE_STARTED_FILE"

MELTANO_REQUIREMENT='meltano[postgres]==4.4.1'
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sluice}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
CLICKHOUSE_URL=${CLICKHOUSE_URL:-http://127.0.0.1:8123}
# Test and demo sources live on a PostgreSQL server of their own: connectors may never reach
# the platform's database (README, "What connectors may reach"). Test/dev only.
SLUICE_SOURCE_DATABASE_URL=${SLUICE_SOURCE_DATABASE_URL:-postgres://postgres@127.0.0.1:5433/postgres}

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root to run: $*"; fi; }
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
# host and port of a URL: url_part <url> host|port <default-port>
url_part() { node -e 'const u=new URL(process.argv[1]); console.log(process.argv[2]==="host"?u.hostname:(u.port||process.argv[3]))' "$1" "$2" "${3:-}"; }
answers() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
wait_for() { for _ in $(seq 1 60); do answers "$1" "$2" && return 0; sleep 0.5; done; fail "$3 did not start on $1:$2 (see $4)"; }
stamp_ok() { [ -f "$data/stamps/$1" ] && [ "$(cat "$data/stamps/$1")" = "$2" ]; }
# Postgres refuses to run as root: as root, run its tools as the postgres user.
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
# `up` asks to be told what we start, so Ctrl-C can stop it again.
started() { [ -n "${SLUICE_STARTED_FILE:-}" ] && printf '%s\t%s\n' "$1" "$2" >>"$SLUICE_STARTED_FILE" || true; }
stamp_set() { printf '%s' "$2" >"$data/stamps/$1"; }

# --- npm packages -----------------------------------------------------------------------
npm_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ ! -d node_modules ] || ! stamp_ok npm "$npm_hash"; then
  say "installing npm packages"
  # `npm ci` rejects the lock file npm 11 writes (it omits other platforms' optional packages).
  npm install --no-audit --no-fund --loglevel=error
  stamp_set npm "$npm_hash"
fi

# A PostgreSQL cluster of ours under .data/ (trust auth, listening on one address), created once.
# Any further arguments are settings (name=value) written into the new cluster's config.
start_pg_cluster() {
  local label=$1 pgdata=$2 host=$3 port=$4 name=$5 bin
  apt_install postgresql
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    say "creating a cluster for $label in $pgdata (trust auth on $host only)"
    mkdir -p "$pgdata"
    if [ "$(id -u)" = 0 ]; then chown postgres "$pgdata"; fi
    run_pg "$bin/initdb" -D "$pgdata" -U postgres -A trust -E UTF8 >/dev/null
    if [ $# -gt 5 ]; then printf '%s\n' "${@:6}" | run_pg tee -a "$pgdata/postgresql.conf" >/dev/null; fi
  fi
  say "starting $label on $host:$port"
  run_pg "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
    -o "-p $port -c listen_addresses=$host -k $pgdata" start >/dev/null
  wait_for "$host" "$port" "$label" "$pgdata/server.log"
  started "$name" "$( [ "$(id -u)" = 0 ] && echo 'runuser -u postgres --' ) $bin/pg_ctl -D $pgdata -m fast stop"
}

# --- Postgres ---------------------------------------------------------------------------
pg_host=$(url_part "$DATABASE_URL" host); pg_port=$(url_part "$DATABASE_URL" port 5432)
if ! answers "$pg_host" "$pg_port"; then
  if ls /etc/postgresql/*/main >/dev/null 2>&1 && [ "$pg_port" = 5432 ] && command -v pg_ctlcluster >/dev/null; then
    say "starting the machine's PostgreSQL cluster"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | tail -1)" main start || true
  fi
  if ! answers "$pg_host" "$pg_port"; then
    start_pg_cluster PostgreSQL "$data/postgres" "$pg_host" "$pg_port" postgresql
  fi
fi

# --- PostgreSQL for sources (tests and the demo), a cluster of its own --------------------
# Log-based sync (deletes for incremental pipelines) reads the sources' write-ahead log through
# the wal2json plugin: the server runs with wal_level=logical, a replication slot per pipeline
# and a WAL sender per running sync, and has the wal2json package of its own major version.
SOURCE_PG_MIN_SLOTS=32
SOURCE_PG_MIN_WAL_SENDERS=16
src_host=$(url_part "$SLUICE_SOURCE_DATABASE_URL" host); src_port=$(url_part "$SLUICE_SOURCE_DATABASE_URL" port 5432)
if ! answers "$src_host" "$src_port"; then
  start_pg_cluster "the sources' PostgreSQL" "$data/sources-postgres" "$src_host" "$src_port" sources-postgresql \
    "wal_level = logical" "max_replication_slots = $SOURCE_PG_MIN_SLOTS" "max_wal_senders = $SOURCE_PG_MIN_WAL_SENDERS"
fi
# One SQL statement against the sources' server; prints each row's values tab-separated.
source_sql() {
  node -e '
    const sql = require("postgres")(process.argv[1], { max: 1, onnotice: () => {} });
    sql.unsafe(process.argv[2]).values()
      .then((rows) => { for (const row of rows) console.log(row.join("\t")); })
      .catch((error) => { console.error(error.message); process.exitCode = 1; })
      .finally(() => sql.end());' "$SLUICE_SOURCE_DATABASE_URL" "$1"
}
# Runs a command as the user owning a data directory (pg_ctl refuses root, and must match it).
run_as_owner() {
  local owner=$1; shift
  if [ "$owner" = "$(id -un)" ]; then "$@"
  elif [ "$(id -u)" = 0 ]; then runuser -u "$owner" -- "$@"
  elif command -v sudo >/dev/null; then sudo -u "$owner" -- "$@"
  else fail "need to run as $owner: $*"; fi
}
# Also for a server another checkout (or an older setup) started: switched once, then left be.
# output_plugin_libraries (15.19+, 16.11+, …) lists the output plugins slots may use; "any" before.
source_pg_settings() {
  source_sql "select current_setting('server_version_num')::int / 10000, current_setting('data_directory'),
    current_setting('wal_level'), current_setting('max_replication_slots'), current_setting('max_wal_senders'),
    coalesce(current_setting('output_plugin_libraries', true), 'any')"
}
IFS=$'\t' read -r src_major src_dir src_wal_level src_slots src_senders src_plugins <<<"$(source_pg_settings)" || true
[ -n "$src_wal_level" ] || fail "could not read the settings of the sources' PostgreSQL on $src_host:$src_port (its error is above)"
# Takes effect on a reload, no restart: only new slots check it.
if [ "$src_plugins" != any ] && ! [[ ",${src_plugins// /}," == *,wal2json,* ]]; then
  say "letting replication slots on the sources' PostgreSQL use wal2json (output_plugin_libraries = $src_plugins, wal2json)"
  source_sql "alter system set output_plugin_libraries = ${src_plugins:+$src_plugins, }wal2json" >/dev/null
  source_sql "select pg_reload_conf()" >/dev/null
fi
if [ ! -d "$src_dir" ]; then
  # Not on this machine: nothing we can install or restart. Log-based sync tests will say why.
  [ "$src_wal_level" = logical ] || say "warning: the sources' PostgreSQL on $src_host:$src_port runs with wal_level=$src_wal_level and is not on this machine: set wal_level=logical there and install postgresql-$src_major-wal2json for log-based syncs"
else
  [ -f "/usr/lib/postgresql/$src_major/lib/wal2json.so" ] || apt_install "postgresql-$src_major-wal2json"
  if [ "$src_wal_level" != logical ] || [ "$src_slots" -lt "$SOURCE_PG_MIN_SLOTS" ] || [ "$src_senders" -lt "$SOURCE_PG_MIN_WAL_SENDERS" ]; then
    say "the sources' PostgreSQL on $src_host:$src_port (data in $src_dir) runs with wal_level=$src_wal_level, max_replication_slots=$src_slots, max_wal_senders=$src_senders: switching it to logical decoding and restarting it, once (its connections drop for a few seconds)"
    source_sql "alter system set wal_level = logical" >/dev/null
    [ "$src_slots" -ge "$SOURCE_PG_MIN_SLOTS" ] || source_sql "alter system set max_replication_slots = $SOURCE_PG_MIN_SLOTS" >/dev/null
    [ "$src_senders" -ge "$SOURCE_PG_MIN_WAL_SENDERS" ] || source_sql "alter system set max_wal_senders = $SOURCE_PG_MIN_WAL_SENDERS" >/dev/null
    src_pg_ctl="/usr/lib/postgresql/$src_major/bin/pg_ctl"
    [ -x "$src_pg_ctl" ] || src_pg_ctl=$(command -v pg_ctl) || fail "no pg_ctl for PostgreSQL $src_major to restart the sources' PostgreSQL"
    # restart keeps the server's command-line options (postmaster.opts: port, address, socket dir).
    run_as_owner "$(stat -c %U "$src_dir")" "$src_pg_ctl" -D "$src_dir" -l "$src_dir/server.log" -w -m fast restart >/dev/null
    wait_for "$src_host" "$src_port" "the sources' PostgreSQL" "$src_dir/server.log"
    IFS=$'\t' read -r _ _ src_wal_level _ <<<"$(source_pg_settings)"
    [ "$src_wal_level" = logical ] || fail "the sources' PostgreSQL still runs with wal_level=$src_wal_level after a restart (see $src_dir/server.log)"
  fi
fi

# --- Redis ------------------------------------------------------------------------------
redis_host=$(url_part "$REDIS_URL" host); redis_port=$(url_part "$REDIS_URL" port 6379)
if ! answers "$redis_host" "$redis_port"; then
  apt_install redis-server
  mkdir -p "$data/redis"
  say "starting Redis on $redis_host:$redis_port"
  redis-server --daemonize yes --bind "$redis_host" --port "$redis_port" --dir "$data/redis" \
    --appendonly yes --logfile "$data/redis/redis.log" --pidfile "$data/redis/redis.pid"
  wait_for "$redis_host" "$redis_port" Redis "$data/redis/redis.log"
  started redis "kill \$(cat $data/redis/redis.pid)"
fi

# A login on the sources' PostgreSQL that needs its password (the rest of the cluster trusts
# 127.0.0.1): the browser tests' wrong-password case. Its password is no secret: it reads nothing.
if [ -d "${src_dir:-}" ] && ! grep -q '^host all sluice_password_login ' "$src_dir/pg_hba.conf"; then
  say "adding a password-checked login to the sources' PostgreSQL (for the wrong-password test)"
  { echo 'host all sluice_password_login 127.0.0.1/32 scram-sha-256'; cat "$src_dir/pg_hba.conf"; } >"$data/pg_hba.new"
  cat "$data/pg_hba.new" >"$src_dir/pg_hba.conf" && rm -f "$data/pg_hba.new"
  source_sql "do \$\$ begin if not exists (select from pg_roles where rolname = 'sluice_password_login') then create role sluice_password_login login password 'the-right-password'; end if; end \$\$" >/dev/null
  source_sql "select pg_reload_conf()" >/dev/null
fi

# --- Chromium for the browser tests (npm test asks for it; up and bench need none) ----------
if [ "${SLUICE_BROWSER:-}" = 1 ]; then apt_install chromium; fi

# --- ClickHouse -------------------------------------------------------------------------
ch_host=$(url_part "$CLICKHOUSE_URL" host); ch_port=$(url_part "$CLICKHOUSE_URL" port 8123)
if ! answers "$ch_host" "$ch_port"; then
  apt_install clickhouse-server clickhouse-client
  chdir="$data/clickhouse"
  mkdir -p "$chdir/logs"
  # The TCP (native) port sits beside the HTTP one: 8123 → 9000, as ClickHouse's defaults.
  sed -e "s#@DIR@#$chdir#g" -e "s#@HOST@#$ch_host#g" -e "s#@HTTP_PORT@#$ch_port#g" -e "s#@TCP_PORT@#$((ch_port + 877))#g" \
    scripts/clickhouse-config.xml >"$chdir/config.xml"
  cp scripts/clickhouse-users.xml "$chdir/users.xml"
  say "starting ClickHouse on $ch_host:$ch_port (data in $chdir)"
  /usr/sbin/clickhouse-server --config-file="$chdir/config.xml" --pid-file="$chdir/clickhouse.pid" --daemon
  wait_for "$ch_host" "$ch_port" ClickHouse "$chdir/logs/err.log"
  started clickhouse "kill \$(cat $chdir/clickhouse.pid)"
fi
# Each workspace's own login to our ClickHouse is a file in its users.d folder (18.16 has no
# SQL users): local-env.ts hands the folder written down here to the worker as
# SLUICE_CLICKHOUSE_USERS_DIR. Ours, or that of a ClickHouse another checkout's setup started.
ch_users_dir=""
if [ -f "$data/clickhouse/config.xml" ]; then
  ch_users_dir="$data/clickhouse/users.d"
else
  running_config=$(ps -o args= -C clickhouse-server 2>/dev/null | sed -n 's/.*--config-file=\([^ ]*\).*/\1/p' | head -1)
  if [ -n "$running_config" ] && [ -f "$(dirname "$running_config")/users.xml" ]; then ch_users_dir="$(dirname "$running_config")/users.d"; fi
fi
if [ -n "$ch_users_dir" ] && mkdir -p "$ch_users_dir" 2>/dev/null; then
  mkdir -p "$data" && echo "$ch_users_dir" >"$data/clickhouse-users-dir"
else
  rm -f "$data/clickhouse-users-dir"
fi

# --- Meltano and its plugins ------------------------------------------------------------
if [ ! -x .venv/bin/meltano ] || ! stamp_ok meltano "$MELTANO_REQUIREMENT"; then
  say "creating the Python venv with $MELTANO_REQUIREMENT"
  python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || fail "Meltano needs Python 3.10 or newer (found $(python3 -V))"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "$MELTANO_REQUIREMENT" 2> >(grep -v "^WARNING: Location" >&2)
  stamp_set meltano "$MELTANO_REQUIREMENT"
fi
# Plugins run under user ids of their own (SLUICE_PLUGIN_UIDS) when we are root: they must be
# able to run the Python their venvs link to, and nothing else of ours. Traverse-only (o+x) on
# the folders above the interpreter lets them run it without listing or reading anything there.
if [ "$(id -u)" = 0 ]; then
  py=$(readlink -f .venv/bin/python3)
  dir=$(dirname "$py")
  while [ "$dir" != / ]; do
    if [ $(( 0$(stat -c %a "$dir") & 1 )) = 0 ]; then
      say "letting plugin processes reach $py: chmod o+x $dir (enter only, no listing)"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
fi
# Plugins install on first use, on the machine whose worker runs them (meltano/plugin-install.ts).
# Setup installs only those the tests run, the same way (same venvs, markers and lock), so no
# test waits for an install; the others wait for theirs. Each one's marker is its stamp: when
# all are installed at their pip_url this takes under a second.
SETUP_PLUGINS=(tap-postgres tap-jsonl tap-salesforce)
node --import tsx scripts/install-plugins.ts "${SETUP_PLUGINS[@]}"

# --- schemathesis, for the API fuzz test (its own venv: its pins must not meet Meltano's) --
FUZZ_REQUIREMENT='schemathesis==4.32.5'
if [ ! -x .venv-fuzz/bin/st ] || ! stamp_ok fuzz "$FUZZ_REQUIREMENT"; then
  say "creating the fuzzing venv with $FUZZ_REQUIREMENT"
  python3 -m venv .venv-fuzz
  .venv-fuzz/bin/pip install --quiet --disable-pip-version-check "$FUZZ_REQUIREMENT" 2> >(grep -v "^WARNING: Location" >&2)
  stamp_set fuzz "$FUZZ_REQUIREMENT"
fi

# --- .data holds the master key, passwords, tokens, warehouse data and test logs: closed to
# plugin processes (which run under other user ids). Postgres clusters inside keep their own 0700.
mkdir -p "$data" && chmod 711 "$data"
for private in clickhouse test-logs stamps; do
  if [ -d "$data/$private" ]; then chmod 700 "$data/$private"; fi
done

# --- Web app ----------------------------------------------------------------------------
web_hash=$(find web -type f -not -path 'web/dist/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ ! -f web/dist/index.html ] || ! stamp_ok web "$web_hash"; then
  say "building the web app"
  npx vite build --config web/vite.config.ts --logLevel error
  stamp_set web "$web_hash"
fi

# --- target-clickhouse, compiled (its bin script falls back to tsx when this is stale) --
target_hash=$(cat meltano/target-clickhouse/*.ts meltano/target-clickhouse/tsconfig.build.json | sha256sum | cut -c1-16)
if [ ! -f meltano/target-clickhouse/dist/main.js ] || ! stamp_ok target "$target_hash"; then
  say "compiling target-clickhouse"
  rm -rf meltano/target-clickhouse/dist
  npx tsc -p meltano/target-clickhouse/tsconfig.build.json
  stamp_set target "$target_hash"
fi

# --- tap-sluice-postgres, compiled (its bin script falls back to tsx when this is stale) -
tap_hash=$(cat meltano/tap-sluice-postgres/*.ts meltano/tap-sluice-postgres/tsconfig.build.json | sha256sum | cut -c1-16)
if [ ! -f meltano/tap-sluice-postgres/dist/main.js ] || ! stamp_ok tap-sluice-postgres "$tap_hash"; then
  say "compiling tap-sluice-postgres"
  rm -rf meltano/tap-sluice-postgres/dist
  npx tsc -p meltano/tap-sluice-postgres/tsconfig.build.json
  stamp_set tap-sluice-postgres "$tap_hash"
fi

# --- Files of file-based connectors: a folder per tenant (SLUICE_FILES_DIR) -------------
mkdir -p "${SLUICE_FILES_DIR:-$root/files}"

# --- Master key for local runs ----------------------------------------------------------
if [ ! -f "$data/master.key" ]; then
  umask 077
  node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' >"$data/master.key"
  say "generated a local master key in .data/master.key (set SLUICE_MASTER_KEY in production)"
fi
say "ready"
