// Campaigns from Python: rungs.run / rungs.simulate call the commands of `rungs run` and
// `rungs simulate` (campaign/commands.hpp), and rungs.load reads a campaign's store
// (store/store.hpp) into the rows `rungs export` writes. The GIL is released while a
// campaign runs; the signal handlers the campaign loop installs (SIGINT, SIGTERM, SIGHUP:
// stop every trial, keep what was recorded) are Python's again when it returns.
#include <pybind11/stl.h>

#include <array>
#include <csignal>
#include <filesystem>

#include "bindings.hpp"
#include "campaign/campaign_directory.hpp"
#include "campaign/commands.hpp"
#include "store/store.hpp"

namespace rungs::python {

namespace {

namespace fs = std::filesystem;

// rungs-supervisor (one per trial run) and the example trainers are in the build's bin/,
// not beside python3: campaigns started from Python look for rungs' programs there.
constexpr const char* kProgramDir = RUNGS_PROGRAM_DIR;

// The handlers of the signals the campaign loop takes over (Boost.Asio's signal_set leaves
// SIG_DFL behind), restored on scope exit: Ctrl-C is Python's KeyboardInterrupt again.
class SignalHandlersKept {
 public:
  SignalHandlersKept() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], nullptr, &saved_[i]);
  }
  ~SignalHandlersKept() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &saved_[i], nullptr);
  }
  SignalHandlersKept(const SignalHandlersKept&) = delete;
  SignalHandlersKept& operator=(const SignalHandlersKept&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> saved_{};
};

struct Finished {
  int code = campaign::kDone;
  std::string output;
};

// run_command / simulate_command into a directory known beforehand (the default one has a
// timestamp), so the caller can read the results from it.
template <typename Command>
Finished run_into(const std::string& file, const std::optional<std::string>& output, bool quiet, bool simulated,
                  const std::string& programs, Command command) {
  Finished finished;
  {
    py::gil_scoped_release release;
    SignalHandlersKept kept;
    const auto spec = simulated ? campaign::load_campaign(file) : campaign::load_checked_campaign(file, programs);
    finished.output = campaign::output_directory(spec, output.value_or(""), simulated).string();
    campaign::RunFlags flags;
    flags.output = finished.output;
    flags.quiet = quiet;
    flags.programs = programs;
    finished.code = command(flags);
  }
  if (finished.code == campaign::kInterrupted) {  // every trial was stopped; `rungs resume` goes on
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
  return finished;
}

// What the campaign row records, as JSON (docs/storage.md).
nlohmann::json campaign_json(const store::CampaignInfo& info) {
  nlohmann::json out = {{"name", info.name},         {"mode", info.mode},       {"options", info.options},
                        {"metric", info.metric},     {"direction", info.direction}, {"created_at", info.created_at},
                        {"campaign_file", info.campaign_file}, {"campaign_yaml", info.campaign_yaml},
                        {"space", info.space}};
  out["ladder"] = info.ladder ? nlohmann::json(*info.ladder) : nlohmann::json(nullptr);
  return out;
}

}  // namespace

void bind_campaign(py::module_& m) {
  m.attr("PROGRAM_DIR") = kProgramDir;
  m.def(
      "_run",
      [](const std::string& file, std::optional<std::string> output, bool quiet, const std::string& programs) {
        const auto done = run_into(file, output, quiet, false, programs,
                                   [&](const campaign::RunFlags& flags) { return campaign::run_command(file, flags); });
        return done.output;
      },
      py::arg("file"), py::arg("output") = py::none(), py::arg("quiet") = false, py::arg("programs") = kProgramDir);
  m.def(
      "_simulate",
      [](const std::string& file, std::optional<std::string> output, bool quiet, std::size_t workers,
         std::optional<std::uint64_t> seed, double epoch_seconds) {
        campaign::SimulationOptions options;
        options.workers = workers;
        options.epoch_seconds = epoch_seconds;
        const auto done = run_into(file, output, quiet, true, kProgramDir, [&](const campaign::RunFlags& flags) {
          return campaign::simulate_command(file, flags, options, seed);
        });
        return done.output;
      },
      py::arg("file"), py::arg("output") = py::none(), py::arg("quiet") = false, py::arg("workers") = 0,
      py::arg("seed") = py::none(), py::arg("epoch_seconds") = 60.0);
  m.def(
      "_read_store",
      [](const std::string& directory) {
        std::string text;
        {
          py::gil_scoped_release release;
          const auto store = store::CampaignStore::open(fs::absolute(directory).lexically_normal(), /*read_only=*/true);
          nlohmann::json out;
          {
            store::ReadTransaction transaction(store);  // the tables agree, even while it runs
            out = {{"campaign", campaign_json(store.info())},
                   {"trials", store.trials()},
                   {"runs", store.runs()},
                   {"reports", store.reports()},
                   {"warnings", store.warnings()}};
          }
          text = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        }
        return from_json_text(text);
      },
      py::arg("directory"), "A campaign's store as plain records (lists of dicts), read in one transaction.");
}

}  // namespace rungs::python
