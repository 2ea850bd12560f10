#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer, or explains and exits 1.
# Order: $JAVA_HOME, the `java` on PATH, then the newest JDK under /usr/lib/jvm.
# Sourced by ./ratatoskr and .ci/run; also runnable on its own.

ratatoskr_java_major() {
  # $1: path to a java executable. Prints its feature version (17, 21, 25...).
  "$1" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}' \
    | awk -F. '{print ($1 == "1") ? $2 : $1}'
}

ratatoskr_find_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(ratatoskr_java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then echo "$JAVA_HOME"; return 0; fi
    echo "JAVA_HOME=$JAVA_HOME is Java $major; looking for a JDK 21+ elsewhere." >&2
  fi
  if command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    major=$(ratatoskr_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ]; then echo "$candidate"; return 0; fi
  fi
  for candidate in /usr/lib/jvm/*/; do
    candidate=${candidate%/}
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(ratatoskr_java_major "$candidate/bin/java")
    if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate; best_major=$major
    fi
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  cat >&2 <<'MSG'
No JDK 21 or newer was found (looked at JAVA_HOME, the java on PATH and /usr/lib/jvm/*).
Install one (for example: apt-get install -y openjdk-21-jdk-headless, or a Temurin 21+ build)
and point JAVA_HOME at it.
MSG
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ratatoskr_find_jdk
fi
