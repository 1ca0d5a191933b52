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
    fi
    echo "appendfsync everysec"
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
