#pragma once
// Ending what a previous rungs left of a run, from the record its supervisor kept
// (LaunchSpec::process_record). Normally there is nothing: when rungs dies, even by SIGKILL,
// each supervisor sees EOF on its control socket and ends its run within the grace period.
// What can remain: a supervisor still ending its run (rungs was restarted within the grace),
// or, if the supervisor itself was SIGKILLed, the processes of its run, orphaned.
//
// Identification never trusts a bare pid: the supervisor is only signalled if the record's
// boot id is this boot's and its pid has the recorded start time; orphans are found by the
// run's random token in their environment (RUNGS_RUN_TOKEN), among the processes this user
// may inspect, and signalled through checked pidfds.
//
// Called by the campaign loop on resume, for each run that was out, before relaunching
// anything. Blocks up to `grace` plus a moment.
#include <chrono>
#include <filesystem>
#include <string>

namespace rungs::runners {

struct Leftovers {
  bool supervisor_alive = false;  // found and asked to end its run (SIGTERM)
  int killed = 0;                 // processes of the run SIGKILLed by token
  bool ended = false;             // the record says the run had ended (nothing was left)
};

// Ends the run the record at `record` describes, if anything of it is alive: SIGTERM to its
// supervisor (which ends its run: TERM, the grace, KILL) and a wait for it, then SIGKILL to
// any process still carrying the run's token. A missing or unreadable record is nothing left.
Leftovers end_leftovers(const std::filesystem::path& record, std::chrono::milliseconds grace);

}  // namespace rungs::runners
