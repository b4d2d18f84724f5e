#pragma once
// Processes as /proc shows them, for the code that must end every descendant of a trial and
// nothing else: the per-run supervisor (supervisor/), and rungs itself when it ends what a
// previous rungs left behind (runners/leftovers.hpp). No dependencies beyond the C++ library,
// so the supervisor stays small.
//
// Identity: a pid alone may be reused by a stranger at any time. (pid, start time in clock
// ticks since boot, boot id) names one process for the life of the machine: a record written
// before a crash can be checked against /proc after it, and a signal is only sent through a
// pidfd opened on a process whose start time was checked after the open (signal_exactly()).
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rungs::runners {

struct ProcessInfo {
  pid_t pid = -1;
  pid_t ppid = -1;
  pid_t pgid = -1;
  char state = '?';                 // 'R', 'S', 'T' (stopped), 'Z' (zombie)...
  std::uint64_t start_time = 0;     // clock ticks after boot (field 22 of /proc/PID/stat)
};

// /proc/PID/stat of one process; nothing if it is gone (or unreadable).
std::optional<ProcessInfo> read_process(pid_t pid);
// Every process on the machine, from one scan of /proc (processes that vanish meanwhile are
// skipped).
std::vector<ProcessInfo> list_processes();
// The descendants of `ancestor` in one scan: children, their children... (not `ancestor`).
std::vector<ProcessInfo> descendants(pid_t ancestor);

// The kernel's boot id (/proc/sys/kernel/random/boot_id), "" if unreadable.
std::string boot_id();

// Sends `sig` to the process `who` names only if it is still that process (same start time),
// through a pidfd so that a reuse of the number after the check cannot be hit. False when it
// is gone or is another process now. Falls back to kill() after the same check where pidfds
// are not available (Linux < 5.3).
bool signal_exactly(const ProcessInfo& who, int sig);

// Processes (not zombies) whose environment holds exactly the entry `name=value`. Only
// processes rungs may read the environment of (its own user's) are seen.
std::vector<ProcessInfo> processes_with_env(std::string_view name, std::string_view value);

// A fresh random token (hex), for marking the environment of one run's processes.
std::string random_token();

}  // namespace rungs::runners
