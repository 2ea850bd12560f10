# Shell functions shared by the side-by-side comparison scripts (compare-mosquitto.sh, compare-kafka.sh).
# Source it; it defines functions only. They expect $OUT (where logs go) and a `pids` array of the processes
# the script started.

# Kills and reaps every process in `pids`, then removes $1 (a scratch directory) unless it is empty.
stop_brokers() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  [ -z "${1:-}" ] || rm -rf "$1"
}

# Prints a loopback TCP port nobody listens on.
free_port() {
  local port
  for _ in $(seq 1 100); do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_for_port PORT PID NAME [SECONDS]: until something listens on PORT, while PID lives (default 30 s).
wait_for_port() {
  local tries=$(( ${4:-30} * 10 ))
  for _ in $(seq 1 "$tries"); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$3 exited during start-up; see $OUT/$3.log" >&2; return 1; }
    sleep 0.1
  done
  echo "$3 did not open port $1 within ${4:-30} s" >&2
  return 1
}

# The machine part of environment.txt: date, commit, CPUs, kernel, JVM ($1: the java binary).
describe_machine() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpus: $(nproc)"
  echo "cpu model: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
  echo "kernel: $(uname -r)"
  echo "java: $("$1" -version 2>&1 | head -1)"
}
