# Shared by the redis hooks (sourced, never run): checks the environment and writes cadre.conf.
conf=/etc/redis/cadre.conf
data=/var/lib/redis

fail() { echo "$*" >&2; exit 1; }

# check_env: the member address and the password, in forms redis.conf takes without quoting
check_env() {
  ip=${CADRE_MEMBER_IP:-}
  password=${CADRE_SECRET_PASSWORD:-}
  role=${CADRE_MEMBER_ROLE:-primary}
  case $ip in
    '' | *[!0-9.]*) fail "$CADRE_HOOK: not an IPv4 address: '$ip'" ;;
  esac
  [ -n "$password" ] || fail "$CADRE_HOOK: CADRE_SECRET_PASSWORD is not set"
  case $password in
    *[!A-Za-z0-9._~+/=-]*) fail "$CADRE_HOOK: the password may hold only letters, digits and ._~+/=-" ;;
  esac
  [ ${#password} -ge 12 ] || fail "$CADRE_HOOK: the password must be at least 12 characters"
  case $role in
    primary | replica) ;;
    *) fail "$CADRE_HOOK: unknown role '$role' (primary or replica)" ;;
  esac
  primary=
  if [ "$role" = replica ]; then
    # CADRE_MEMBERS: name=ip=role ...
    for m in ${CADRE_MEMBERS:-}; do
      rest=${m#*=}
      if [ "${rest#*=}" = primary ]; then primary=${rest%%=*}; fi
    done
    case $primary in
      '' | *[!0-9.]*) fail "$CADRE_HOOK: a replica needs a primary in CADRE_MEMBERS" ;;
    esac
  fi
}

# memory_limit: the container's memory limit in bytes (cgroup v2 or v1), empty when it has none below the
# machine's memory
memory_limit() {
  for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do
    [ -r "$f" ] || continue
    l=$(cat "$f")
    case "$l" in '' | *[!0-9]*) return 0 ;; esac
    total_kib=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
    [ $((l / 1024)) -lt "${total_kib:-0}" ] 2>/dev/null && echo "$l"
    return 0
  done
}

# write_conf: cadre.conf for this member; returns 0 when it changed
write_conf() {
  umask 027
  {
    echo "# written by cadre's hooks for member ${CADRE_MEMBER:-?}; do not edit"
    echo "# member_ip $ip"
    # every address of the member: the control plane adds the service's address to the primary's eth0
    echo "bind * -::*"
    echo "protected-mode yes"
    echo "port 6379"
    echo "requirepass $password"
    echo "masterauth $password"
    # durable: a write reaches the append-only file (the kernel's page cache) before redis answers, so a
    # killed redis loses nothing it acknowledged (unless a stalled fsync made it hold writes back, up
    # to 2 s); fsync once a second bounds what a crash of the host's OS loses.
    # Data from before the file (dump.rdb alone) would be ignored by a redis started with it on: such a
    # redis starts without it and to_aof turns it on, running.
    if [ -f "$data/dump.rdb" ] && [ ! -d "$data/appendonlydir" ]; then
      echo "appendonly no"
    else
      echo "appendonly yes"
      # no snapshots besides: the append-only file holds every write, and a snapshot (redis takes one at
      # every shutdown when any are configured) rewrites dump.rdb whole, which a move's last refresh would
      # then send again in full while the service is down
      echo 'save ""'
    fi
    echo "appendfsync everysec"
    # full is a refusal, not a kill: a redis that grows into the container's memory limit is killed by the
    # kernel and takes up to a second of acknowledged writes with it; at maxmemory it answers OOM to writes
    # and keeps what it has. Room is left for the fork that rewrites the append-only file.
    limit=$(memory_limit)
    if [ -n "$limit" ]; then
      echo "maxmemory $((limit / 100 * 60))"
      echo "maxmemory-policy noeviction"
    fi
    if [ -n "$primary" ]; then echo "replicaof $primary 6379"; fi
  } > "$conf.new"
  chown redis:redis "$conf.new"
  chmod 0640 "$conf.new"
  if cmp -s "$conf.new" "$conf"; then
    rm -f "$conf.new"
    return 1
  fi
  mv -f "$conf.new" "$conf"
  return 0
}

# cli ARGS...: redis-cli on loopback with the password from cadre.conf (never on the command line)
cli() {
  REDISCLI_AUTH=$(sed -n 's/^requirepass //p' "$conf") redis-cli -h 127.0.0.1 "$@"
}

# to_aof: a running redis without the append-only file (its data predates it) writes one from what it
# holds, and keeps it from now on
to_aof() {
  [ "$(cli config get appendonly 2>/dev/null | sed -n 2p)" = no ] || return 0
  [ "$(cli config set appendonly yes)" = OK ] || fail "$CADRE_HOOK: redis refused to turn the append-only file on"
  i=0
  until [ -f "$data/appendonlydir/appendonly.aof.manifest" ] &&
    cli info persistence | tr -d '\r' | grep -q '^aof_rewrite_in_progress:0' &&
    cli info persistence | tr -d '\r' | grep -q '^aof_rewrite_scheduled:0'; do
    [ $i -lt 600 ] || fail "$CADRE_HOOK: redis did not write its append-only file within 60s"
    sleep 0.1
    i=$((i + 1))
  done
  sed -i 's/^appendonly no$/appendonly yes/' "$conf"
  echo "$CADRE_HOOK: the append-only file is on (written from the data set)"
}

# ---- data hand-over (export-live, export-final, import-prep, import-clean) ----------------------
# The plane reads the archive from one fixed path and pushes one to another; neither path comes from
# the payload. The archive is a gzip'd tar of files for the data directory: dump.rdb, and appendonlydir/
# when it was taken from a stopped redis.
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

# archive_answer FILE: the one JSON line the plane reads (path and size; sha256 for the record)
archive_answer() {
  bytes=$(wc -c < "$1" | tr -d ' ')
  sum=$(sha256sum "$1" | cut -d ' ' -f 1)
  printf '{"path":"%s","bytes":%s,"sha256":"%s"}\n' "$1" "$bytes" "$sum"
}

# export_archive: a consistent archive of the data set in $export_file. A running redis streams a fresh
# snapshot (redis-cli --rdb: a full sync of an RDB, as a replica would get it; the server's own files
# stay as they are); a stopped one is archived from its files, which nothing writes.
export_archive() {
  [ -s "$conf" ] || fail "$CADRE_HOOK: not configured"
  fresh_dir "$export_dir"
  work=$export_dir/work
  mkdir "$work"
  if systemctl is-active --quiet redis-server.service; then
    REDISCLI_AUTH=$(sed -n 's/^requirepass //p' "$conf") timeout 600 redis-cli -h 127.0.0.1 --rdb "$work/dump.rdb" \
      >/dev/null 2>"$export_dir/rdb.err" || fail "$CADRE_HOOK: redis-cli --rdb failed: $(tail -c 500 "$export_dir/rdb.err")"
    [ -s "$work/dump.rdb" ] || fail "$CADRE_HOOK: redis sent an empty snapshot"
    ( cd "$work" && timeout 600 tar -I 'gzip -1' -cf "$export_file" dump.rdb ) || fail "$CADRE_HOOK: tar failed"
  else
    # the append-only file when there is one (redis loads only it then: a dump.rdb beside it is an old
    # snapshot), else the snapshot
    set --
    if [ -d "$data/appendonlydir" ]; then
      set -- appendonlydir
    elif [ -f "$data/dump.rdb" ]; then
      set -- dump.rdb
    fi
    [ $# -gt 0 ] || fail "$CADRE_HOOK: redis is stopped and $data holds no data"
    # gzip -1: the archive is made while the service is down (export-final); the fastest level is most
    # of the size gain for a fraction of the time
    ( cd "$data" && timeout 600 tar -I 'gzip -1' -cf "$export_file" "$@" ) || fail "$CADRE_HOOK: tar failed"
  fi
  rm -rf "$work" "$export_dir/rdb.err"
  archive_answer "$export_file"
}

# import_archive: the archive at $import_file becomes the data set (redis stopped meanwhile); only
# dump.rdb and appendonlydir/ files are taken from it, nothing else of the archive is written anywhere.
# The archive stays until import-clean has started redis on it: a repeated import-clean loads it again.
import_archive() {
  [ -f "$import_file" ] || fail "$CADRE_HOOK: no archive at $import_file"
  set -f
  names=$(timeout 300 tar -tzf "$import_file") || fail "$CADRE_HOOK: $import_file is not a gzip'd tar"
  for n in $names; do
    case $n in
      *..* | */*/* | appendonlydir/*[!A-Za-z0-9._-]*) n_ok= ;;
      dump.rdb | appendonlydir | appendonlydir/ | appendonlydir/appendonly.aof.*) n_ok=1 ;;
      *) n_ok= ;;
    esac
    [ -n "$n_ok" ] || fail "$CADRE_HOOK: the archive holds '$n'; only dump.rdb and appendonlydir/appendonly.aof.* are taken"
  done
  systemctl stop redis-server.service >/dev/null 2>&1 || true
  staging=$import_dir/data
  fresh_dir "$staging"
  timeout 600 tar -xzf "$import_file" -C "$staging" --no-same-owner --no-same-permissions ||
    fail "$CADRE_HOOK: could not unpack $import_file"
  find "$staging" -mindepth 1 ! -type f ! -type d -delete
  rm -rf "$data/dump.rdb" "$data/appendonlydir"
  [ -f "$staging/dump.rdb" ] && mv "$staging/dump.rdb" "$data/dump.rdb"
  [ -d "$staging/appendonlydir" ] && mv "$staging/appendonlydir" "$data/appendonlydir"
  chown -R redis:redis "$data"
  rm -rf "$staging"
  set +f
}
