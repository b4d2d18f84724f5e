#!/usr/bin/env bash
# A private one-node Slurm cluster for rungs' tests: munged (as user munge), slurmctld and
# `slurmd -N localhost`, every state, spool, log, pid and socket file under DIR, nothing under
# /etc touched. Debian 12's packages (scripts/setup.sh installs them); how Slurm behaves here:
# docs/slurm_facts.md.
#
#   slurm_cluster.sh start DIR    start it (ok when it already runs); returns once a batch job
#                                 has run, writes DIR/env.sh (`export SLURM_CONF=DIR/slurm.conf`)
#   slurm_cluster.sh stop DIR     cancel every job, shut the daemons down, leave no process
#   slurm_cluster.sh status DIR   exit 0 when its daemons run and the node is up, 1 when not
#
# Partitions: debug (the default) and high, whose jobs preempt debug's (PreemptMode=CANCEL).
# Environment: RUNGS_SLURM_CPUS (CPUs of the node; default nproc, more than the machine has is
# allowed: SlurmdParameters=config_overrides), RUNGS_SLURMCTLD_PORT (default 6817),
# RUNGS_SLURMD_PORT (default 6818).
#
# Why it is a script of plain background daemons: the machines have no systemd and the packages'
# init scripts are kept from running (policy-rc.d), and tests need a cluster they own.
set -euo pipefail

PATH="$PATH:/usr/sbin:/sbin"
die() { echo "slurm_cluster.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: slurm_cluster.sh start|stop|status DIR"
command=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

munge_dir=$dir/munge
munge_socket=$munge_dir/munged.socket

# alive PIDFILE: the daemon recorded in PIDFILE (DIR/run/slurmd.pid ...: its name is the file's
# up to the first dot) runs. A zombie waiting for PID 1 does not count, nor another program that
# got the pid of a daemon killed long ago (a stale pid file must never make stop kill it).
alive() {
  local pid name
  pid=$(cat "$1" 2>/dev/null) || return 1
  name=$(basename "$1")
  name=${name%%.*}
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
  local state
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_until SECONDS CMD...: polls CMD every 50 ms until it succeeds; 1 when the time is up.
wait_until() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

node_idle() { [ "$(sinfo -h -n localhost -o %T 2>/dev/null)" = idle ]; }

# A batch job submitted now runs and completes (the controller starts batch jobs only about 3 s
# after it boots: before that, squeue shows the job PENDING).
batch_job_runs() {
  local id
  id=$(sbatch --parsable --no-requeue --job-name=rungs-cluster-check --chdir="$dir" \
         -o /dev/null -e /dev/null --wrap=true) || return 1
  id=${id%%;*}
  state_is() { [ "$(squeue -h -t all -j "$id" -o %T 2>/dev/null)" = "$1" ]; }
  if ! wait_until 30 state_is COMPLETED; then
    scancel "$id" 2>/dev/null || true
    return 1
  fi
}

running() {
  alive "$munge_dir/munged.pid" && alive "$dir/run/slurmctld.pid" && alive "$dir/run/slurmd.pid" \
    && node_idle_or_busy
}
node_idle_or_busy() {
  case "$(sinfo -h -n localhost -o %T 2>/dev/null)" in
    idle | mixed | allocated | completing) return 0 ;;
    *) return 1 ;;
  esac
}

port_free() {
  ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# A start that fails stops what it started: a failed fixture leaves no daemon behind.
fail_start() {
  show_logs
  stop_daemons >/dev/null 2>&1 || true
  die "$*"
}

show_logs() {
  local f
  for f in "$dir"/log/*.log "$munge_dir/munged.log"; do
    [ -f "$f" ] || continue
    echo "--- last lines of $f" >&2
    tail -n 15 "$f" >&2
  done
}

write_conf() {
  local cpus=$1 memory=$2 ctld_port=$3 slurmd_port=$4 overrides=""
  [ "$cpus" -le "$(nproc)" ] || overrides="SlurmdParameters=config_overrides"
  cat > "$conf" <<EOF
# Written by rungs scripts/slurm_cluster.sh; private to this directory.
ClusterName=rungs
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Without it a batch job starts only on the scheduler's next pass, about every 3 s.
SchedulerParameters=batch_sched_delay=0
# Finished jobs stay visible to squeue and scontrol for an hour (there is no accounting).
MinJobAge=3600
KillWait=5
MailProg=/bin/true
ReturnToService=2
$overrides
# A job submitted to partition "high" cancels (PREEMPTED) debug's jobs when it needs their CPUs:
# the one way a test can see the state that preemption gives on real clusters.
PreemptType=preempt/partition_prio
PreemptMode=CANCEL
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP PriorityTier=1
PartitionName=high Nodes=localhost MaxTime=INFINITE State=UP PriorityTier=2
EOF
}

start() {
  local missing=() b path
  for b in munged mungekey slurmctld slurmd slurmstepd sbatch squeue sinfo scontrol scancel; do
    path=$(command -v "$b") && [ -f "$path" ] && [ -x "$path" ] || missing+=("$b")
  done
  [ ${#missing[@]} -eq 0 ] ||
    die "not installed: ${missing[*]} (Debian packages slurmctld slurmd slurm-client munge: run scripts/setup.sh)"

  if [ -f "$conf" ] && running; then
    echo "slurm cluster in $dir already runs"
    return 0
  fi
  [ -f "$conf" ] && stop_daemons  # leftovers of a half-started or crashed cluster

  local cpus=${RUNGS_SLURM_CPUS:-$(nproc)} ctld_port=${RUNGS_SLURMCTLD_PORT:-6817}
  local slurmd_port=${RUNGS_SLURMD_PORT:-6818} memory p
  for p in "$ctld_port" "$slurmd_port"; do
    port_free "$p" || die "port $p is in use: $(ss -Hltnp "sport = :$p" | head -n 1) (another cluster? set RUNGS_SLURMCTLD_PORT and RUNGS_SLURMD_PORT; for the tests: cmake -DRUNGS_SLURMCTLD_PORT=... -DRUNGS_SLURMD_PORT=...)"
  done
  memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  [ -n "$memory" ] || die "slurmd -C did not give RealMemory"

  mkdir -p "$dir/state" "$dir/spool" "$dir/run" "$dir/log" "$munge_dir"
  : > "$dir/plugstack.conf"
  write_conf "$cpus" "$memory" "$ctld_port" "$slurmd_port"
  echo "export SLURM_CONF=$conf" > "$dir/env.sh"

  # munged refuses a key or socket directory others may write, and clients fail with "Socket is
  # inaccessible" when they cannot enter the socket's directory: 0755, owned by munge.
  chmod 0755 "$dir"
  chown munge:munge "$munge_dir"
  chmod 0755 "$munge_dir"
  runuser -u munge -- test -w "$munge_dir" ||
    die "user munge cannot enter $munge_dir: a directory above it is closed to others (mode 0700?): choose another DIR"
  if [ ! -s "$munge_dir/munge.key" ]; then
    runuser -u munge -- mungekey --create --keyfile="$munge_dir/munge.key" >/dev/null
  fi
  chmod 0600 "$munge_dir/munge.key"
  runuser -u munge -- munged --socket="$munge_socket" --key-file="$munge_dir/munge.key" \
    --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
    --seed-file="$munge_dir/munged.seed" </dev/null >/dev/null 2>&1 ||
    fail_start "munged did not start"
  wait_until 10 alive "$munge_dir/munged.pid" || fail_start "munged did not start"

  # A fresh cluster: -c drops the jobs a killed cluster left in its state files (recovered as
  # RUNNING, they would hold the node). The daemons fork and close their descriptors; ctest
  # waits for none of them.
  rm -rf "${dir:?}/spool" && mkdir "$dir/spool"
  slurmctld -c -f "$conf" </dev/null >/dev/null 2>&1 || fail_start "slurmctld did not start"
  slurmd -f "$conf" -N localhost </dev/null >/dev/null 2>&1 || fail_start "slurmd did not start"

  if ! wait_until 30 node_idle; then
    fail_start "the node did not become idle within 30 s (sinfo: $(sinfo -h -n localhost -o %T 2>&1))"
  fi
  if ! batch_job_runs; then
    fail_start "a trivial batch job did not complete within 30 s"
  fi
  # slurmd removes its pid file early when it shuts down: stop waits on these copies.
  cp "$dir/run/slurmctld.pid" "$dir/run/slurmctld.pid.started"
  cp "$dir/run/slurmd.pid" "$dir/run/slurmd.pid.started"
  echo "slurm cluster in $dir runs (SLURM_CONF=$conf, $cpus CPUs, ports $ctld_port/$slurmd_port)"
}

# squeue without -t lists the jobs not yet finished (PENDING, RUNNING, COMPLETING ...).
no_active_job() { [ -z "$(squeue -h -o %i 2>/dev/null)" ]; }

# The processes of this cluster's jobs that outlived it: slurmstepd with a file under DIR open,
# and every process whose environment names one of its jobs (SLURM_JOB_ID with our SLURM_CONF):
# the job's shell, what it started, and a trial that daemonized away from its slurmstepd.
job_pids() {
  local p f
  for p in $(pgrep -x slurmstepd); do
    for f in "/proc/$p/fd"/*; do
      [[ $(readlink "$f" 2>/dev/null) == "$dir/"* ]] && { echo "$p"; break; }
    done
  done
  grep -lzx -- "SLURM_CONF=$conf" /proc/[0-9]*/environ 2>/dev/null | while read -r f; do
    p=${f#/proc/}
    p=${p%/environ}
    [ "$p" != $$ ] && grep -qz '^SLURM_JOB_ID=' "$f" 2>/dev/null && echo "$p"
  done
  return 0
}

stop_daemons() {
  local f pid
  if [ -f "$conf" ] && alive "$dir/run/slurmctld.pid"; then
    # Jobs first: a slurmstepd outlives slurmd, and a job's processes outlive slurmstepd.
    # scancel sends TERM, KILL KillWait=5 s later.
    local ids
    ids=$(squeue -h -o %i 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || scancel $ids 2>/dev/null || true
    wait_until 20 no_active_job || echo "slurm_cluster.sh: jobs still active after 20 s" >&2
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  # Wait for the daemons, then make sure: KILL whatever is left after 15 s.
  for f in slurmctld slurmd; do
    for pid in "$dir/run/$f.pid.started" "$dir/run/$f.pid"; do
      [ -f "$pid" ] || continue
      if ! wait_until 15 not_alive "$pid"; then
        echo "slurm_cluster.sh: $f did not exit: KILL" >&2
        kill -KILL "$(cat "$pid")" 2>/dev/null || true
      fi
    done
  done
  local left
  left=$(job_pids)
  if [ -n "$left" ]; then
    echo "slurm_cluster.sh: processes of jobs left after shutdown, KILL: ${left//$'\n'/ }" >&2
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  fi
  if alive "$munge_dir/munged.pid"; then
    kill -TERM "$(cat "$munge_dir/munged.pid")" 2>/dev/null || true
    wait_until 10 not_alive "$munge_dir/munged.pid" || kill -KILL "$(cat "$munge_dir/munged.pid")" 2>/dev/null || true
  fi
  # What is still alive now is a failure: stop promises to leave no process.
  for f in "$dir"/run/*.pid "$dir"/run/*.pid.started "$munge_dir/munged.pid"; do
    ! alive "$f" || die "$(basename "$f" | cut -d. -f1) (pid $(cat "$f")) is still alive"
  done
  left=$(job_pids)
  [ -z "$left" ] || die "processes of jobs still alive: ${left//$'\n'/ }"
  rm -f "$dir"/run/*.pid "$dir"/run/*.pid.started "$munge_dir/munged.pid"
}
not_alive() { ! alive "$1"; }

case $command in
  start) start ;;
  stop)
    [ -f "$conf" ] || { echo "no slurm cluster in $dir"; exit 0; }
    stop_daemons
    echo "slurm cluster in $dir stopped"
    ;;
  status)
    if [ -f "$conf" ] && running; then
      echo "slurm cluster in $dir runs (SLURM_CONF=$conf)"
    else
      echo "no slurm cluster runs in $dir"
      exit 1
    fi
    ;;
  *) die "unknown command '$command' (start, stop or status)" ;;
esac
