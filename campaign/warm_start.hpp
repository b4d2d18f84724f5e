#pragma once
// Learning from past campaigns (`warm_start:`, issue 14): earlier campaign directories are
// read (read-only: they may still be running) and what they learned is handed to the new
// campaign's optimizer. Two ways, per source:
//
//  - observations (the space is compatible: the same parameters with the same types; ranges
//    may differ). Every finished run with a finite value becomes an observation of the new
//    optimizer at the matching budget level (study::PastObservation): TPE adds it to that
//    level's observation set, the GP to its data. They weigh as much as the campaign's own:
//    a compatible source is the same model on the same metric (its values are ranked with
//    the new ones by TPE and regressed with them by the GP), and down-weighting would mostly
//    delay the moment the models can start (TPE needs N_min + 2 points at a level; the GP
//    min_points) which is the point of warm-starting. They fade on their own as the new
//    campaign's observations outnumber them. Measured (docs/benchmarks.md, "Warm start"):
//    that helps on the same task and hurts once the optimum moved (full-weight old points keep
//    TPE near the old optimum); with narrow: true it helps on near tasks. Down-weighting with
//    the new campaign's evidence is the known next step. They are not trials: no id, never run, never the
//    incumbent, not in `rungs status`' tables. Runs that failed or were stopped by a stopping
//    rule are left out (a failure there may be the old environment's; a stopped run's value
//    is not the level's). A past configuration that the new space rejects (out of a new
//    range, a condition no longer met) is dropped and counted.
//    Levels are matched by their budget values (per dimension, or by units when the ladders
//    share no dimension names): a past level whose budget is one of the new ladder's counts
//    there; otherwise at the nearest LOWER new level (a run at a larger budget than any level
//    tells at least as much as that level's runs); a past level below the new ladder's
//    smallest is dropped. The mapping is printed when it is not one-to-one.
//  - best (parameters added or removed, or `mode: best`): the `top` best configurations of
//    the source (highest budget level first, then value) are projected onto the new space and
//    tried first, after `start_with:` (optimizers/start_queue.hpp): a parameter the source
//    lacks takes its prior's centre, else the centre of its range (geometric for log scale),
//    else its first choice; a value outside a new range is clipped to it; a choice the new
//    space lacks takes the default above.
//
// Narrowing (`narrow: true`, opt-in): the bounding-box search space of Perrone et al. 2019
// ("Learning search spaces for Bayesian optimization", NeurIPS): the smallest box holding the
// best configurations of every source, per numeric parameter on its [0,1] encoding (so log
// parameters in log space), widened by `margin` (0.1 of the original range) on each side so
// that a single source does not collapse it to a point, and clipped to the original range;
// categoricals keep the choices seen among the best. The box also holds the start_with
// configurations (they must stay runnable), parents of conditions are never narrowed (their
// values select children), and a prior's centre outside the box is clipped into it.
//
// Recorded (store::CampaignInfo::warm_start): the sources, the observations used and the
// narrowed ranges are copied into the new campaign's store when it is created. A resume reads
// them from there, never from the sources, so it feeds the optimizer exactly the same
// observations (a source still running would otherwise have grown, one moved would be gone)
// and its replay makes the same decisions.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/config_error.hpp"
#include "fidelity/ladder.hpp"
#include "space/search_space.hpp"
#include "store/records.hpp"
#include "study/study.hpp"

namespace rungs::campaign {

enum class WarmStartMode { Auto, Observations, Best };  // Auto: observations when compatible

struct WarmStartSource {
  std::filesystem::path path;  // absolute
  std::string written;         // as written in the YAML (or given), for messages
  Location at;                 // the entry in the YAML, for errors
  std::string key = "warm_start";  // its key path, e.g. "warm_start[1]"
};

// What `warm_start:` says (campaign/yaml_warm_start.hpp reads it).
struct WarmStartSpec {
  std::vector<WarmStartSource> from;
  WarmStartMode mode = WarmStartMode::Auto;
  bool narrow = false;
  std::size_t top = 3;  // best configurations per source: first candidates and the box
  double margin = 0.1;  // the box's widening on each side, on the [0,1] encoding
  bool empty() const { return from.empty(); }
};

// What was taken from one source.
struct WarmStartUse {
  std::string path;      // as written
  std::string campaign;  // the source's name
  std::string mode;      // "observations" or "best"
  std::size_t observations = 0;  // fed to the optimizer
  std::size_t dropped = 0;       // runs with a value the new space or ladder could not use
  std::vector<std::string> changes;  // one line per parameter added, removed or changed
  std::string levels;                // the level mapping when not one-to-one, else ""
  std::vector<space::Config> best;   // its best configurations, projected onto the new space
};

struct NarrowedParameter {
  std::string name;
  std::string from, to;  // space::describe of the original and the narrowed domain
  space::Domain domain;  // the narrowed one
};

struct WarmStart {
  std::vector<WarmStartUse> sources;
  std::vector<study::PastObservation> observations;  // values in the metric's own direction
  std::vector<space::Config> first;                  // to try first (best mode), deduplicated
  std::vector<NarrowedParameter> narrowed;           // empty without narrow: true
  space::SearchSpace space;                          // the space searched: narrowed, or as given
  space::SearchSpace original;                       // the space as given (not recorded)
  bool empty() const { return sources.empty(); }
};

// Reads the sources (read-only) for a campaign of `space`, `ladder` and `metric` (name,
// maximized) that starts with `start_with`. Throws ConfigError at a source's entry when it
// is not a campaign directory, optimizes another metric, or has a parameter of the same name
// but another type, or a categorical whose choices share none with the new one (naming it).
WarmStart read_warm_start(const WarmStartSpec& spec, const space::SearchSpace& space,
                          const fidelity::BudgetLadder& ladder, const std::string& metric, bool maximize,
                          const std::vector<space::Config>& start_with = {});

// For the ask/tell API: the same from directories (errors name the directory), then
//   study::StudyOptions options; options.warm_start = warm.observations;
//   options.start_with = warm.first; study::Study study(warm.space, ladder, options);
WarmStart read_warm_start(const std::vector<std::filesystem::path>& directories, const space::SearchSpace& space,
                          const fidelity::BudgetLadder& ladder, const std::string& metric, bool maximize,
                          WarmStartMode mode = WarmStartMode::Auto, bool narrow = false);

// The bounding box (see the file comment) of `points` in `space`; parameters it leaves as they
// were are not listed. apply_narrowing builds the narrowed space (priors clipped into it).
std::vector<NarrowedParameter> bounding_box(const space::SearchSpace& space, const std::vector<space::Config>& points,
                                            double margin);
space::SearchSpace apply_narrowing(const space::SearchSpace& space, const std::vector<NarrowedParameter>& narrowed);

// The campaign with `warm`: its space becomes warm.space (narrowed), make_optimizer feeds the
// observations and queues the first candidates. `spec` may already have one (a `rungs run`
// that finds its campaign recorded): the recorded one replaces it, narrowed from the original.
struct CampaignSpec;
void use_warm_start(CampaignSpec& spec, WarmStart warm);
// A created or resumed campaign goes on with what its store recorded (nothing when it has no
// record). Throws ConfigError when the record does not fit the spec's space.
void use_recorded_warm_start(CampaignSpec& spec, const store::CampaignInfo& info);

// As the store records it, and back (`original`: the space before narrowing).
nlohmann::json to_json(const WarmStart& warm);
WarmStart warm_start_from_json(const nlohmann::json& json, const space::SearchSpace& original);

// What validate, run and status print: one line for the sources, one per parameter change,
// level mapping and narrowed range. Empty without warm start.
std::vector<std::string> warm_start_lines(const WarmStart& warm);
// The same from a store's record (status), tolerant: a malformed record gives one line saying so.
std::vector<std::string> recorded_warm_start_lines(const store::CampaignInfo& info);
// (`rungs status --json` and the HTML report summarise the record: report/warm_start_summary.hpp.)

}  // namespace rungs::campaign
