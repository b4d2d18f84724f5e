#pragma once
// The events of a campaign as the loop records them: each kind's `data` fields in one place
// (documented for users in docs/storage.md, read back by the store's `runs` and `reports`
// views, by the replay and by the report). Values are written in the metric's own direction;
// a missing or non-finite value is null. Pure: builds events, stores nothing.
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "campaign/active_run.hpp"
#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"
#include "runners/runner.hpp"

namespace rungs::campaign {

class RunEvents {
 public:
  // `spec` must outlive this object.
  explicit RunEvents(const CampaignSpec& spec) : spec_(spec) {}

  store::Event launch(double now, const ActiveRun& run) const;
  // `step` a number or null, `metrics` a JSON object; `has_metric`: the campaign's metric is
  // among them (run.value is then its value).
  store::Event report(double now, const ActiveRun& run, nlohmann::json step, nlohmann::json metrics,
               bool has_metric) const;
  store::Event stop_decision(double now, const ActiveRun& run) const;
  // A run's end with `value` (minimized; NaN when missing) and `failure` (empty: none).
  // `status` is absent for a pause (pause: signal), whose process lives on.
  store::Event exit(double now, const ActiveRun& run, double value, const std::optional<runners::ExitStatus>& status,
             const std::string& failure, bool paused) const;
  store::Event retry(double now, const ActiveRun& run, const std::string& failure) const;
  store::Event state(double now, scheduler::TrialId trial, scheduler::TrialState state) const;
  // A resumed campaign: how many events were recorded, runs relaunched and runs ended.
  store::Event resume(double now, std::size_t events, std::size_t relaunched, std::size_t ended) const;
  store::Event relaunch(double now, const ActiveRun& run, double already_ran) const;

 private:
  nlohmann::json value_json(double minimized) const;

  const CampaignSpec& spec_;
};

}  // namespace rungs::campaign
