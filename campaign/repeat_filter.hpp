#pragma once
// Which reports a relaunched run prints again.
//
// A run started again from its trial's checkpoint (after the campaign was interrupted, after
// a failure, after its kept paused process was ended) re-runs from the checkpoint's step, so
// it prints again some reports that are recorded already; its steps count on from the runs
// before it. Those repeats must not be recorded twice nor reach the scheduler twice. One
// filter per trial, fed every recorded report of the trial (live or replayed) and cleared
// when the trial starts from scratch (fidelity::run_start is not Resume), where its steps
// count from the start again.
//
// A report is a repeat when its step is below the highest recorded step, or when it is at that
// step with metric names recorded there already (a trainer that prints a train line and an
// eval line per step prints both again). Reports without a step repeat only with the metric
// names of an earlier step-less report. Values do not matter: a re-run from a checkpoint may
// differ in the last digits. Only the highest step's names are kept (every lower step repeats
// anyway), so the filter stays small however long the trial reports. Pure: no I/O.
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace rungs::campaign {

class RepeatFilter {
 public:
  // The trial starts from scratch: nothing it prints is a repeat of what came before.
  void clear();
  // A report recorded for the trial. `step` is a number or null; `metrics` a JSON object.
  void remember(const nlohmann::json& step, const nlohmann::json& metrics);
  // True if the trial made this report already (see above).
  bool is_repeat(const nlohmann::json& step, const nlohmann::json& metrics) const;

 private:
  // "name,name,": with the step, what makes a report the same report again.
  static std::string names(const nlohmann::json& metrics);

  std::optional<double> highest_step_;
  std::set<std::string> names_at_highest_;  // metric names recorded at highest_step_
  std::set<std::string> stepless_;          // metric names of the reports without a step
};

}  // namespace rungs::campaign
