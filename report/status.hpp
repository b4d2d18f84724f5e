#pragma once
// `rungs status DIR`: what a campaign is doing, as text for a terminal, read from its
// rungs.db (also while the campaign runs: the store is opened read-only and readers never
// block the writer in WAL mode).
//
//   Campaign quickstart: val_loss (min), 49 trials, elapsed 0:00:12, finished
//     (or "failed: 5 trials failed and none succeeded (...)", "running", "interrupted (go on
//     with `rungs resume DIR`)")
//   Trials: running 0, waiting 0, stopped 41, completed 8, failed 0
//   Runs: 80 (0 out), reports 612, warnings 0, budget spent 357 units
//   Best so far: trial 45, val_loss = 0.0711386 at level 3 (data_fraction=1, epochs=27)
//     lr: 0.00438987 ...
//   Brackets and rungs: per bracket and level, how many trials got there and, of those
//     whose highest level it is, how many are running/waiting/stopped/completed/failed
//   Trials, best first: rank, trial, state, bracket, level, budget, step, last/best/final value
//
// A long campaign lists the best `top` trials and every running one; `all` lists them all.
#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "report/snapshot.hpp"

namespace rungs::report {

struct StatusOptions {
  bool all = false;       // every trial
  std::size_t top = 20;   // otherwise the best `top` and the running ones
  // Whether a rungs process writes the campaign now (the CLI asks its lock,
  // campaign/campaign_lock.hpp); empty: unknown, and an unended campaign is "not finished
  // (running, or interrupted)".
  std::function<bool()> is_running = nullptr;
  bool json = false;      // --json: one object (report/status_json.hpp) instead of the tables
  // What the campaign layer knows beyond the store's tables (its limits, priors, warm start;
  // the CLI fills these): lines printed after the tables, and fields added to the JSON object.
  // Asked at every refresh of --watch too.
  std::function<std::vector<std::string>()> extra_lines = nullptr;
  std::function<void(nlohmann::json&)> extra_fields = nullptr;
};

// Where the campaign stands: "finished", "failed" (stopped by
// trial.max_failures_before_success), "running", "interrupted" (its log has not ended and
// no process writes it: `rungs resume` goes on), or "unknown" (no is_running to ask).
std::string campaign_state(const CampaignSnapshot& snapshot, const StatusOptions& options);

void print_status(const store::CampaignStore& store, std::FILE* out, const StatusOptions& options = {});
void print_status(const CampaignSnapshot& snapshot, std::FILE* out, const StatusOptions& options = {});

// "1:02:03" (hours:minutes:seconds), or "2d 1:02:03" past a day.
std::string format_duration(double seconds);

}  // namespace rungs::report
