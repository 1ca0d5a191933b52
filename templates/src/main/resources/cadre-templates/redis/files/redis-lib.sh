# Shared by the redis hooks (sourced, never run): checks the environment and writes cadre.conf.
conf=/etc/redis/cadre.conf

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
    echo "# written by cadre's $CADRE_HOOK hook for member ${CADRE_MEMBER:-?}; do not edit"
    echo "bind 127.0.0.1 $ip"
    echo "protected-mode yes"
    echo "port 6379"
    echo "requirepass $password"
    echo "masterauth $password"
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
