#!/bin/sh
# Prints the Debian mirror this machine's apt uses for SUITE (default bookworm): the URIs of the first
# deb822 stanza (/etc/apt/sources.list.d/*.sources) or one-line entry (/etc/apt/sources.list) that lists
# the suite. The mirror is never written in cadre's files: every machine builds from its own.
# Usage: debian-mirror.sh [SUITE]
set -eu
suite=${1:-bookworm}
found=$(
  for f in /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && cat "$f" && echo; done |
    awk -v suite="$suite" '
      function flush() {
        if (!done && uri != "" && types ~ /(^|[ \t])deb([ \t]|$)/ && enabled !~ /^[ \t]*no/ && (" " suites " ") ~ (" " suite " ")) { print uri; done = 1; exit }
        uri = ""; suites = ""; types = "deb"; enabled = ""
      }
      BEGIN { types = "deb" }
      /^[ \t]*$/ { flush(); next }
      /^[ \t]*#/ { next }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { suites = $0; sub(/^[^:]*:[ \t]*/, "", suites) }
      tolower($1) == "types:" { types = $0; sub(/^[^:]*:[ \t]*/, "", types) }
      tolower($1) == "enabled:" { enabled = $2 }
      END { flush() }'
)
if [ -z "$found" ] && [ -f /etc/apt/sources.list ]; then
  # deb [options] URI SUITE COMPONENTS...
  found=$(awk -v suite="$suite" '
    $1 == "deb" {
      i = 2
      if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == suite) { print $i; exit }
    }' /etc/apt/sources.list)
fi
if [ -z "$found" ]; then
  echo "debian-mirror.sh: no apt source for suite $suite in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list" >&2
  exit 1
fi
printf '%s\n' "$found"
