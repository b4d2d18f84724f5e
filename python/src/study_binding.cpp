// rungs.Study and rungs.Trial: the C++ ask/tell Study (study/study.hpp) from Python, with
// its settings written as a campaign file's sections (dicts or names) and read by the
// campaign's readers (campaign/study_spec.hpp). The GIL is released while the C++ side
// works (a suggestion, a scheduler decision); a lock keeps one call at a time per study.
#include <pybind11/stl.h>

#include <cmath>
#include <mutex>

#include "bindings.hpp"
#include "campaign/campaign_bounds.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/study_spec.hpp"
#include "space_binding.hpp"
#include "study/study.hpp"

namespace rungs::python {

namespace {

py::dict budget_values(const fidelity::Budget& budget) {
  py::dict out;
  for (const auto& [name, value] : budget.values) out[py::str(name)] = value;
  return out;
}

// One run to do: a new trial at its first budget level, or a promoted one at a larger level.
struct Trial {
  scheduler::Job job;
};

class PyStudy {
 public:
  PyStudy(space::SearchSpace space, const campaign::StudySpec& spec, std::uint64_t seed, bool maximize,
          std::optional<double> max_cost = std::nullopt)
      : study_(std::move(space), spec.ladder,
               {.scheduler = static_cast<const study::SchedulerSettings&>(spec.scheduler),
                .optimizer = spec.optimizer,
                .seed = seed,
                .maximize = maximize,
                .max_cost = max_cost}),
        levels_(spec.ladder.levels()) {}

  std::optional<Trial> ask() {
    std::optional<scheduler::Job> job;
    {
      py::gil_scoped_release release;
      std::lock_guard lock(mutex_);
      job = study_.ask();
    }
    if (!job) return std::nullopt;
    return Trial{std::move(*job)};
  }
  bool report(scheduler::TrialId trial, double step, double value) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    return study_.report(trial, step, value) == scheduler::Decision::Stop;
  }
  void tell(scheduler::TrialId trial, double value) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    study_.tell(trial, value);
  }
  void tell_failed(scheduler::TrialId trial) {
    py::gil_scoped_release release;
    std::lock_guard lock(mutex_);
    study_.tell_failed(trial);
  }
  bool finished() {
    std::lock_guard lock(mutex_);
    return study_.finished();
  }
  std::string state(scheduler::TrialId trial) {
    std::lock_guard lock(mutex_);
    try {
      return scheduler::to_string(study_.state(trial));
    } catch (const std::out_of_range&) {
      throw py::key_error("no trial " + std::to_string(trial) + " was asked for");
    }
  }
  std::optional<study::StudyResult> best() {
    std::lock_guard lock(mutex_);
    return study_.best();
  }
  std::size_t levels() const { return levels_; }

 private:
  std::mutex mutex_;
  study::Study study_;
  std::size_t levels_;
};

// A trial given as a rungs.Trial or as its id.
scheduler::TrialId trial_id(const py::handle& trial) {
  if (py::isinstance<Trial>(trial)) return trial.cast<const Trial&>().job.trial;
  return trial.cast<scheduler::TrialId>();
}

double told_value(const py::handle& value) {
  if (value.is_none()) return std::nan("");
  return value.cast<double>();
}

// The settings sections as a document for campaign::parse_study; a name alone stands for
// {type: name}.
campaign::StudySpec read_settings(const py::object& budget, const py::object& scheduler, const py::object& optimizer) {
  py::dict document;
  if (!budget.is_none()) document["budget"] = budget;
  if (!scheduler.is_none()) document["scheduler"] = scheduler;
  if (!optimizer.is_none()) document["optimizer"] = optimizer;
  try {
    return campaign::parse_study(to_json_text(document), "<study>");
  } catch (const campaign::ConfigError& e) {
    throw without_location(e);
  }
}

}  // namespace

void bind_study(py::module_& m) {
  py::class_<Trial>(m, "Trial", "One run to do: a configuration at a budget (from Study.ask()).")
      .def_property_readonly("id", [](const Trial& t) { return t.job.trial; })
      .def_property_readonly("config", [](const Trial& t) { return config_to_python(t.job.config); },
                             "The active parameters: name -> int, float or str.")
      .def_property_readonly("budget", [](const Trial& t) { return budget_values(t.job.budget); },
                             "Each budget dimension's value at this level, e.g. {'epochs': 9}.")
      .def_property_readonly("level", [](const Trial& t) { return t.job.budget.level; })
      .def_property_readonly("units", [](const Trial& t) { return t.job.budget.units; })
      .def_property_readonly("bracket", [](const Trial& t) { return t.job.bracket; })
      .def_property_readonly(
          "resume_from",
          [](const Trial& t) -> py::object {
            if (!t.job.resume_from) return py::none();
            py::dict out = budget_values(*t.job.resume_from);
            return out;
          },
          "On a promotion, the budget already trained (continue from its checkpoint); else None.")
      .def_property_readonly("resume_level",
                             [](const Trial& t) -> py::object {
                               return t.job.resume_from ? py::cast(t.job.resume_from->level) : py::none();
                             })
      .def("__repr__", [](const Trial& t) {
        return py::str("rungs.Trial(id={}, level={}, config={}, budget={})")
            .format(t.job.trial, t.job.budget.level, config_to_python(t.job.config), budget_values(t.job.budget))
            .cast<std::string>();
      });

  py::class_<PyStudy>(m, "Study", R"(Ask/tell over rungs' schedulers and optimizers (the C++ rungs::study::Study).

Study(space, budget={"min": 1, "max": 27, "dimensions": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": 27}}},
      scheduler={"type": "asha", "max_trials": 50}, optimizer="tpe", seed=0, maximize=False)
takes a campaign file's sections: `space` a dict or rungs.Space, `budget` like `budget:`
(default one level), `scheduler` like `scheduler:` or its name (default hyperband),
`optimizer` like `optimizer:` or its name (default random).)")
      .def(py::init([](const py::object& space, const py::object& budget, const py::object& scheduler,
                       const py::object& optimizer, std::uint64_t seed, bool maximize) {
             auto search_space = space_from_python(space);
             const auto spec = read_settings(budget, scheduler, optimizer);
             return std::make_unique<PyStudy>(std::move(search_space), spec, seed, maximize);
           }),
           py::arg("space"), py::kw_only(), py::arg("budget") = py::none(), py::arg("scheduler") = py::none(),
           py::arg("optimizer") = py::none(), py::arg("seed") = 0, py::arg("maximize") = false)
      .def_static(
          "from_yaml",
          [](const std::string& path, std::optional<std::uint64_t> seed) {
            const auto campaign = campaign::load_campaign(path);
            // limits.trials folds into the scheduler, limits.cost becomes the study's max_cost;
            // limits.wall is the campaign loop's (a study's caller stops it).
            campaign::SchedulerSpec scheduler = campaign.scheduler;
            static_cast<study::SchedulerSettings&>(scheduler) = campaign::scheduler_settings(campaign);
            campaign::StudySpec spec{campaign.space, campaign.ladder, scheduler, campaign.optimizer};
            return std::make_unique<PyStudy>(campaign.space, spec, seed.value_or(campaign.seed),
                                             campaign.metric.maximize, campaign.limits.cost);
          },
          py::arg("path"), py::kw_only(), py::arg("seed") = py::none(),
          "The study a campaign file describes: its space, budget, scheduler, optimizer, seed and metric direction; "
          "limits.trials and limits.cost bound it as they bound the campaign (limits.wall is the caller's to keep).")
      .def("ask", &PyStudy::ask,
           "The next run to do, or None: finished, or (synchronous schedulers) waiting for runs asked "
           "for but not told yet (see `finished`).")
      .def(
          "report",
          [](PyStudy& self, const py::handle& trial, double step, double value) {
            return self.report(trial_id(trial), step, value);
          },
          py::arg("trial"), py::arg("step"), py::arg("value"),
          "An intermediate value of a running trial (e.g. per epoch); True means stop it now and tell().")
      .def(
          "tell", [](PyStudy& self, const py::handle& trial, const py::handle& value) {
            self.tell(trial_id(trial), told_value(value));
          },
          py::arg("trial"), py::arg("value"), "The trial's value at its budget (None or NaN: no finite value, ranks last).")
      .def(
          "tell_failed", [](PyStudy& self, const py::handle& trial) { self.tell_failed(trial_id(trial)); },
          py::arg("trial"), "The trial's run failed.")
      .def_property_readonly("finished", &PyStudy::finished)
      .def_property_readonly("levels", &PyStudy::levels)
      .def(
          "state", [](PyStudy& self, const py::handle& trial) { return self.state(trial_id(trial)); },
          py::arg("trial"), "running, waiting, stopped, completed or failed.")
      .def(
          "best",
          [](PyStudy& self) -> py::object {
            const auto best = self.best();
            if (!best) return py::none();
            py::dict out;
            out["trial"] = best->trial;
            out["config"] = config_to_python(best->config);
            out["budget"] = budget_values(best->budget);
            out["level"] = best->budget.level;
            out["value"] = best->value;
            return out;
          },
          "The best told value at the largest budget level that has one: {trial, config, budget, level, value}, or None.");
}

}  // namespace rungs::python
