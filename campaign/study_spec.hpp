#pragma once
// What an in-process study (study/study.hpp) is built from, read from the sections of a
// campaign file that concern it: space, budget, scheduler and optimizer. The Python module
// (python/) writes the dicts a user gives as a JSON document (JSON is YAML) and reads it
// here, so its settings mean what a campaign file's mean and its mistakes get the CLI's
// messages ("space.lr.low: must be below high (got 1 >= 0.1)").
#include <filesystem>
#include <string>

#include "campaign/campaign_spec.hpp"
#include "campaign/scheduler_spec.hpp"
#include "fidelity/ladder.hpp"
#include "space/search_space.hpp"
#include "study/optimizer_settings.hpp"

namespace rungs::campaign {

struct StudySpec {
  space::SearchSpace space;          // empty when the document has no `space:`
  fidelity::BudgetLadder ladder;     // one level of one unit when it has no `budget:`
  SchedulerSpec scheduler;           // hyperband when it has no `scheduler:`
  study::OptimizerSettings optimizer;  // random search when it has no `optimizer:`
};

// A YAML (or JSON) document with the keys space, budget, scheduler, optimizer, all optional,
// each read as in a campaign file; `scheduler` and `optimizer` may also be a bare name
// ("asha", "tpe"). `file_name` names the document in messages. Throws ConfigError.
StudySpec parse_study(const std::string& text, const std::string& file_name);

// The search space of a YAML file: a campaign file's `space:` (a document with `space:` and
// `budget:` or `trial:`), or a document that is a space section on its own. Throws ConfigError.
space::SearchSpace load_space(const std::filesystem::path& file);

}  // namespace rungs::campaign
