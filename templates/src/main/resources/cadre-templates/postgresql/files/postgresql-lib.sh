# Shared by the postgresql hooks (sourced, never run): checks the environment, writes the settings and
# runs PostgreSQL's tools as the postgres user. Secrets reach PostgreSQL through files (.pgpass) and
# stdin (ALTER ROLE), never through an argument list: other processes of the container see argv.
etc=/etc/postgresql/15/main
data=/var/lib/postgresql/15/main
bin=/usr/lib/postgresql/15/bin
unit=postgresql@15-main.service
conf=$etc/conf.d/cadre.conf
hba=$etc/pg_hba.conf
pgpass=/var/lib/postgresql/.pgpass
applied=$etc/cadre-secrets.sha256
export LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
hook=${CADRE_HOOK:-postgresql}
set -f
cd /

fail() { echo "$hook: $*" >&2; exit 1; }
later() { echo "$hook: $*" >&2; exit 2; }

is_ipv4() {
  case $1 in '' | *[!0-9.]* | *..* | .* | *.) return 1 ;; esac
  [ "$(echo "$1" | awk -F. 'NF == 4 && $1 < 256 && $2 < 256 && $3 < 256 && $4 < 256')" = "$1" ]
}

check_secret() {
  case $2 in
    '') fail "CADRE_SECRET_$1 is not set" ;;
    *[!A-Za-z0-9._~+/=-]*) fail "CADRE_SECRET_$1 may hold only letters, digits and ._~+/=-" ;;
  esac
  [ ${#2} -ge 12 ] || fail "CADRE_SECRET_$1 must be at least 12 characters"
}

# check_env: this member, its role, the secrets, and the other members (CADRE_MEMBERS: name=ip=role ...)
check_env() {
  member=${CADRE_MEMBER:-}
  ip=${CADRE_MEMBER_IP:-}
  prefix=${CADRE_NETWORK_PREFIX:-}
  role=${CADRE_MEMBER_ROLE:-primary}
  password=${CADRE_SECRET_PASSWORD:-}
  replication=${CADRE_SECRET_REPLICATION:-}
  case $member in '' | -* | *[!A-Za-z0-9-]*) fail "not a member name: '$member'" ;; esac
  is_ipv4 "$ip" || fail "not an IPv4 address: '$ip'"
  case $prefix in '' | *[!0-9]*) fail "not a prefix length: '$prefix'" ;; esac
  [ "$prefix" -le 32 ] || fail "not a prefix length: '$prefix'"
  case $role in primary | replica) ;; *) fail "unknown role '$role' (primary or replica)" ;; esac
  check_secret PASSWORD "$password"
  check_secret REPLICATION "$replication"
  primary= others= replicas=
  for m in ${CADRE_MEMBERS:-}; do
    name=${m%%=*} rest=${m#*=}
    mip=${rest%%=*} mrole=${rest#*=}
    case $name in '' | -* | *[!A-Za-z0-9-]*) fail "CADRE_MEMBERS: not a member name: '$name'" ;; esac
    is_ipv4 "$mip" || fail "CADRE_MEMBERS: not an IPv4 address: '$mip'"
    case $mrole in primary | replica) ;; *) fail "CADRE_MEMBERS: unknown role '$mrole'" ;; esac
    if [ "$mrole" = primary ]; then primary=$mip; fi
    if [ "$name" != "$member" ]; then
      others="$others $mip"
      if [ "$mrole" = replica ]; then replicas="$replicas $name"; fi
    fi
  done
  upstream=
  if [ "$role" = replica ]; then
    [ -n "$primary" ] || fail "a replica needs a primary in CADRE_MEMBERS"
    [ "$primary" != "$ip" ] || fail "a replica cannot follow its own address"
    upstream=$primary
  fi
}

as_pg() { runuser -u postgres -- "$@"; }
# sql ARGS...: psql as postgres on the local socket, unaligned, tuples only
sql() { as_pg psql -X -q -A -t -v ON_ERROR_STOP=1 -d postgres "$@"; }
running() { [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; }
in_recovery() { [ "$(sql -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; }
has_data() { [ -f "$data/PG_VERSION" ]; }
conninfo() { echo "host=$1 port=5432 user=replicator passfile=$pgpass connect_timeout=5 application_name=$member"; }

# ensure_cluster: the configuration in /etc (Debian's layout) and a data directory; a replica's stays
# empty until start copies its primary's. The TLS key is made here, per member.
ensure_cluster() {
  [ -f "$etc/postgresql.conf" ] && return 0
  make-ssl-cert generate-default-snakeoil >/dev/null
  pg_createcluster --start-conf=manual --port=5432 --locale=C.UTF-8 15 main -- --data-checksums >/dev/null ||
    fail "pg_createcluster failed"
  [ "$role" = primary ] || wipe_data
}

wipe_data() { find "$data" -mindepth 1 -delete; }

init_data() {
  as_pg "$bin/initdb" -D "$data" --locale=C.UTF-8 --encoding=UTF8 --data-checksums --auth-local=peer >/dev/null ||
    fail "initdb failed"
  rm -f "$data/postgresql.conf" "$data/pg_hba.conf" "$data/pg_ident.conf"
}

write_pgpass() {
  umask 077
  {
    echo "*:5432:*:replicator:$replication"
    echo "*:5432:app:app:$password"
  } > "$pgpass.new"
  chown postgres:postgres "$pgpass.new"
  replace "$pgpass"
}

# replace FILE: FILE.new becomes FILE; returns 0 when that changed FILE
replace() {
  if cmp -s "$1.new" "$1"; then
    rm -f "$1.new"
    return 1
  fi
  mv -f "$1.new" "$1"
}

# sync_names: 'ANY 1 ("a", "b")' over the replicas of CADRE_MEMBERS that stream from this primary now
sync_names() {
  names=
  streaming=$(sql -c "select application_name from pg_stat_replication where state = 'streaming'") || return 1
  for r in $replicas; do
    for s in $streaming; do
      if [ "$r" = "$s" ]; then
        names="$names${names:+, }\"$r\""
        break
      fi
    done
  done
  [ -z "$names" ] || echo "ANY 1 ($names)"
}

# write_conf SYNC: conf.d/cadre.conf; returns 0 when it changed
write_conf() {
  umask 022
  {
    echo "# written by cadre's hooks for member $member; do not edit"
    echo "# member_ip $ip"
    echo "listen_addresses = '*'"
    echo "port = 5432"
    echo "password_encryption = 'scram-sha-256'"
    echo "wal_level = replica"
    echo "wal_log_hints = on"
    echo "max_wal_senders = 10"
    echo "hot_standby = on"
    echo "max_wal_size = '256MB'"
    echo "wal_keep_size = '128MB'"
    # a replica whose primary restarted (a kill -9 that systemd repaired) asks again after 1 s, not 5 s:
    # a synchronous primary's commits wait for it meanwhile
    echo "wal_retrieve_retry_interval = '1s'"
    echo "recovery_target_timeline = 'latest'"
    if [ "$role" = replica ]; then echo "primary_conninfo = '$(conninfo "$primary")'"; fi
    echo "synchronous_standby_names = '$1'"
  } > "$conf.new"
  replace "$conf"
}

# write_hba: app with its password from the member's network; replication (and pg_rewind's reads)
# only from the other members
write_hba() {
  umask 027
  {
    echo "# written by cadre's hooks for member $member; do not edit"
    echo "local all postgres peer"
    echo "host app app $ip/$prefix scram-sha-256"
    for o in $others; do
      echo "host replication replicator $o/32 scram-sha-256"
      echo "host postgres replicator $o/32 scram-sha-256"
    done
  } > "$hba.new"
  chown postgres:postgres "$hba.new"
  replace "$hba"
}

# write_settings SYNC: every file; reloads a running server when one changed (a setting that needs a
# restart, e.g. after an image upgrade, restarts it)
write_settings() {
  changed=
  write_pgpass && changed=1
  write_conf "$1" && changed=1
  write_hba && changed=1
  [ -n "$changed" ] && running || return 0
  before=$(sql -c 'select pg_conf_load_time()')
  sql -c 'select pg_reload_conf()' >/dev/null
  i=0
  while [ "$(sql -c 'select pg_conf_load_time()')" = "$before" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  pending=$(sql -c 'select string_agg(name, $$ $$) from pg_settings where pending_restart')
  if [ -n "$pending" ]; then
    echo "$hook: restarting for $pending"
    systemctl restart "$unit" || fail "systemctl could not restart $unit"
    wait_ready
  fi
}

# ensure_roles: on a running primary, the roles and database with the service's secrets (applied
# again only when the secrets changed: ALTER ROLE is a write that would wait for a synchronous replica)
ensure_roles() {
  sum=$(printf '%s %s\n' "$password" "$replication" | sha256sum)
  [ -f "$applied" ] && [ "$(cat "$applied")" = "$sum" ] && return 0
  sql <<SQL || fail "could not set up the roles"
select 'create role app login' where not exists (select from pg_roles where rolname = 'app')\gexec
alter role app with login password '$password';
select 'create role replicator replication login' where not exists (select from pg_roles where rolname = 'replicator')\gexec
alter role replicator with replication login password '$replication';
grant execute on function pg_catalog.pg_ls_dir(text, boolean, boolean) to replicator;
grant execute on function pg_catalog.pg_stat_file(text, boolean) to replicator;
grant execute on function pg_catalog.pg_read_binary_file(text) to replicator;
grant execute on function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) to replicator;
select 'create database app owner app' where not exists (select from pg_database where datname = 'app')\gexec
SQL
  umask 077
  echo "$sum" > "$applied"
}

# wait_ready: bounded wait until the server takes connections (a standby once it is consistent)
wait_ready() {
  i=0
  while [ $i -lt 300 ]; do
    as_pg "$bin/pg_isready" -q -h /var/run/postgresql -p 5432 && return 0
    sleep 0.2
    i=$((i + 1))
  done
  later "postgresql does not take connections after 60s"
}

start_pg() {
  systemctl enable "$unit" >/dev/null 2>&1 || fail "systemctl could not enable $unit"
  systemctl start "$unit" || {
    systemctl status --no-pager "$unit" >&2 || true
    fail "systemctl could not start $unit"
  }
  wait_ready
}

# stop_pg: a clean (fast) shutdown: sessions end, the replicas get every WAL record first
stop_pg() {
  systemctl stop "$unit" || fail "systemctl could not stop $unit"
  ! running || fail "postgresql still runs after systemctl stop"
}

# upstream_id: the primary's system identifier, empty when it does not answer
upstream_id() {
  as_pg psql -X -q -A -t -d "$(conninfo "$primary") dbname=replication replication=true" -c IDENTIFY_SYSTEM 2>/dev/null |
    sed -n '1s/|.*//p'
}

local_id() {
  as_pg "$bin/pg_controldata" -D "$data" 2>/dev/null | sed -n 's/^Database system identifier: *//p'
}

# basebackup: this member's data becomes a fresh copy of the primary's, as a standby
basebackup() {
  stop_pg
  wipe_data
  echo "$hook: copying the data of $primary (pg_basebackup)"
  as_pg timeout 900 "$bin/pg_basebackup" -D "$data" -X stream -c fast -w -d "$(conninfo "$primary")" || {
    wipe_data
    later "pg_basebackup from $primary failed"
  }
  as_pg touch "$data/standby.signal"
  rm -f "$applied"
}

# rewind: a clean old primary drops what it wrote past the point where the primary's timeline forked
# (nothing to do when it did not diverge)
rewind() {
  echo "$hook: pg_rewind from $primary"
  as_pg timeout 900 "$bin/pg_rewind" -D "$data" --config-file="$etc/postgresql.conf" \
    --source-server="$(conninfo "$primary") dbname=postgres" 2>&1 || return 1
  as_pg touch "$data/standby.signal"
  rm -f "$applied"
}

# streaming SECONDS: true once the WAL receiver streams from the primary (seen twice, 1s apart; a
# receiver still on the previous primary after a reload does not count)
streaming() {
  seen=0 i=0
  while [ $i -lt "$1" ]; do
    if [ "$(sql -c "select status = 'streaming' and sender_host = '$primary' from pg_stat_wal_receiver" 2>/dev/null)" = t ]; then
      seen=$((seen + 1))
      [ $seen -ge 2 ] && return 0
    else
      seen=0
    fi
    sleep 1
    i=$((i + 1))
  done
  return 1
}

# follow: this member becomes (or stays) a standby of the primary in CADRE_MEMBERS. A primary stops
# first, so that from here on it takes no write. Data that cannot follow is rewound, else copied afresh.
follow() {
  if running && ! in_recovery; then stop_pg; fi
  write_settings ''
  if running; then
    streaming 15 && return 0
    # a standby that does not stream keeps serving reads until its primary answers
    [ -n "$(upstream_id)" ] || later "the primary $primary does not answer yet"
    stop_pg
  fi
  has_data && [ ! -f "$data/standby.signal" ] && as_pg touch "$data/standby.signal"
  id=$(upstream_id)
  [ -n "$id" ] || later "the primary $primary does not answer yet"
  if ! has_data || [ "$(local_id)" != "$id" ]; then
    basebackup
  else
    rewind || basebackup
  fi
  start_pg
  streaming 20 && return 0
  echo "$hook: not streaming from $primary; copying its data afresh"
  basebackup
  start_pg
  streaming 20 || later "not streaming from $primary yet"
}

# ---- data hand-over (export-live, export-final, import-prep, import-clean) ----------------------
# The plane reads the archive from one fixed path and pushes one to another; neither path comes from
# the payload. The archive is a gzip'd tar holding app.dump: pg_dump's custom format of database app (its
# schema, data, and grants; the roles app and replicator are the service's own and keep its secrets).
export_dir=/var/lib/cadre/export
export_file=$export_dir/data.tar.gz
import_dir=/var/lib/cadre/import
import_file=$import_dir/data.tar.gz

# fresh_dir DIR: an empty directory only root reads
fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
  chmod 0700 "$1"
}

archive_answer() {
  bytes=$(wc -c < "$1" | tr -d ' ')
  sum=$(sha256sum "$1" | cut -d ' ' -f 1)
  printf '{"path":"%s","bytes":%s,"sha256":"%s"}\n' "$1" "$bytes" "$sum"
}

# local_start / local_stop: a stopped cluster runs for a moment on its socket only (no TCP: no client
# can write meanwhile), for pg_dump
local_start() {
  as_pg "$bin/pg_ctl" start -D "$data" -w -t 60 -l /dev/null \
    -o "-c config_file=$etc/postgresql.conf -c listen_addresses=''" >/dev/null || fail "could not start postgresql locally"
}
local_stop() {
  as_pg "$bin/pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null || fail "could not stop the local postgresql"
}

# export_archive: pg_dump of database app (one snapshot: consistent while the server takes writes) in
# $export_file. A stopped server is started on its socket only for the dump, and stopped again.
export_archive() {
  has_data || fail "no data directory"
  started=
  if ! running; then
    local_start
    started=1
  fi
  ! in_recovery || fail "a standby cannot export; export from the primary"
  fresh_dir "$export_dir"
  work=$export_dir/work
  mkdir "$work"
  as_pg timeout 600 "$bin/pg_dump" -Fc -d app > "$work/app.dump" 2> "$export_dir/dump.err" || {
    [ -z "$started" ] || local_stop
    fail "pg_dump failed: $(tail -c 500 "$export_dir/dump.err")"
  }
  [ -z "$started" ] || local_stop
  ( cd "$work" && timeout 600 tar -czf "$export_file" app.dump ) || fail "tar failed"
  rm -rf "$work" "$export_dir/dump.err"
  archive_answer "$export_file"
}

# import_archive: database app becomes the archive's. It is restored into a database of its own first
# and renamed to app only when pg_restore succeeded: a failure leaves app as it was. pg_restore reads the
# dump on stdin (root opens it: the postgres user cannot read cadre's directories).
import_archive() {
  [ -f "$import_file" ] || fail "no archive at $import_file"
  [ "$(timeout 300 tar -tzf "$import_file" 2>/dev/null)" = app.dump ] || fail "$import_file must be a gzip'd tar of app.dump alone"
  staging=$import_dir/data
  fresh_dir "$staging"
  timeout 600 tar -xzf "$import_file" -C "$staging" --no-same-owner app.dump || fail "could not unpack $import_file"
  [ -f "$staging/app.dump" ] && [ ! -L "$staging/app.dump" ] || fail "app.dump is not a file"
  running || start_pg
  ! in_recovery || fail "a standby cannot import; import into the primary"
  sql -c 'drop database if exists app_import with (force)' >/dev/null
  sql -c 'create database app_import owner app' >/dev/null || fail "could not create database app_import"
  as_pg timeout 1800 "$bin/pg_restore" --exit-on-error -d app_import < "$staging/app.dump" 2> "$import_dir/restore.err" || {
    sql -c 'drop database if exists app_import with (force)' >/dev/null || true
    fail "pg_restore failed: $(tail -c 500 "$import_dir/restore.err")"
  }
  sql -c 'drop database app with (force)' >/dev/null || fail "could not drop database app"
  sql -c 'alter database app_import rename to app' >/dev/null || fail "could not rename app_import to app"
  rm -rf "$staging" "$import_dir/restore.err"
}
