#pragma once
// The campaign commands of the `rungs` tool, composed from the campaign's parts: read the
// file, check the program, open or create the campaign directory, run the loop with the
// local or the simulated runner, print the best. cli/main.cpp parses the flags and calls
// one of these; report/commands.hpp has the commands that only read a campaign.
//
// Each returns the process exit code (kDone; kNoSuccess when the campaign ended and no trial
// reported a finite value of the metric, every one having failed or the fail-fast limit,
// trial.max_failures_before_success, having stopped it; kInterrupted after Ctrl-C) and prints
// what the user reads on stdout (progress, failed trials' stderr and notes on stderr). A bad campaign file, program or
// output directory throws ConfigError (exit code kBadConfig); anything else that stops a
// command throws another std::exception (kFailure).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "campaign/simulation.hpp"

namespace rungs::campaign {

inline constexpr int kDone = 0, kFailure = 1, kBadConfig = 2, kNoSuccess = 3, kInterrupted = 130;

struct RunFlags {
  std::string output;  // --output: the results directory; empty = the campaign's or runs/NAME-TIMESTAMP
  bool quiet = false;  // no progress line
  // run -w: overrides scheduler.max_concurrent. Recorded with the campaign (its options):
  // the replay of a resume depends on it, so a resume keeps it and a different one is refused.
  std::optional<std::size_t> max_concurrent;
  // Where rungs' own programs are (rungs-supervisor, the example trainers), searched after
  // PATH for trial programs named without a path; empty = the running binary's folder. The
  // Python module runs inside python3, so it passes the build's bin/.
  std::string programs;
};

// `rungs run FILE`: a campaign with real trial processes (an existing campaign directory at
// the output is resumed).
// The campaign file read and checked as `validate` checks it (and `run` before it creates
// anything): the YAML, the scheduler it builds, the trial program. Throws ConfigError.
// `programs` as in RunFlags.
CampaignSpec load_checked_campaign(const std::string& file, const std::string& programs = {});

int run_command(const std::string& file, const RunFlags& flags);
// `rungs simulate FILE`: the campaign on virtual workers with synthetic trials. `seed` is the
// landscape's seed (default: the campaign's); options.epoch_seconds 0 means the campaign's
// default_epoch_seconds (simulation.hpp).
int simulate_command(const std::string& file, const RunFlags& flags, SimulationOptions options,
                     std::optional<std::uint64_t> seed);
// `rungs resume DIR --iterations N --limit KEY=VALUE`: grows the campaign (campaign_growth.hpp).
struct GrowFlags {
  std::optional<std::size_t> iterations;
  std::vector<std::string> limits;  // "cost=8000", "wall=72h", "trials=2000", "max_trials=300", ...
};

// `rungs resume DIR`: goes on with the campaign in DIR as it was started (real or simulated),
// grown by `grow` if given (a shrink throws ConfigError).
int resume_command(const std::string& directory, const RunFlags& flags, const GrowFlags& grow = {});
// `rungs validate FILE`: reads the file and checks its program; prints a summary.
int validate_command(const std::string& file);

}  // namespace rungs::campaign
