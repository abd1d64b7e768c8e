# Shared by scripts/run and scripts/serve: start the processes of a tier, and stop every one
# of them, children included, however the script is stopped (Ctrl-C, SIGTERM to the script or
# to its whole process group, a process of the tier exiting).
#
# Each process runs in a session of its own, so a signal to the script's process group reaches
# only the script, which then stops each process by its main PID: django-q2's cluster hangs
# when its workers get SIGTERM with it (a group signal). What is still alive after
# AICEPS_STOP_SECONDS is killed with its whole group.
AICEPS_STOP_SECONDS="${AICEPS_STOP_SECONDS:-8}"
tier_pids=()
tier_names=()

tier_start() {  # NAME COMMAND...
  local name="$1"; shift
  # From the first process on, any way out stops the tier: a signal that came before the
  # traps killed the script alone and left the tier running in its own sessions (seen when
  # SIGTERM followed "ready" within moments on a loaded machine).
  [ ${#tier_pids[@]} -gt 0 ] || tier_traps
  setsid "$@" &
  tier_pids+=($!)
  tier_names+=("$name")
}

tier_stop() {
  trap - EXIT INT TERM
  local pid i alive deadline
  for pid in "${tier_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  deadline=$((SECONDS + AICEPS_STOP_SECONDS))
  while [ "$SECONDS" -lt "$deadline" ]; do
    alive=0
    for pid in "${tier_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for i in "${!tier_pids[@]}"; do
    pid="${tier_pids[$i]}"
    if kill -0 "$pid" 2>/dev/null; then
      echo "aiceps: ${tier_names[$i]} did not stop in ${AICEPS_STOP_SECONDS} s: killed" >&2
    fi
    kill -KILL -- "-$pid" 2>/dev/null  # its whole group: workers a master left behind
  done
  wait 2>/dev/null
}

tier_traps() {
  trap 'tier_stop; exit 130' INT
  trap 'tier_stop; exit 143' TERM
  trap 'tier_stop' EXIT
}

tier_wait() {  # until one process of the tier exits or the script is told to stop
  wait -n
  local status=$?
  echo "aiceps: a process of the tier exited ($status): stopping the others" >&2
  exit "$status"
}
