// rungs_trial.hpp: the trial side of the rungs trial protocol, header-only.
//
// rungs launches a trial process with these environment variables:
//   RUNGS_TRIAL_ID   trial id (string)
//   RUNGS_TRIAL_DIR  the trial's own directory (also its working directory)
//   RUNGS_PARAMS     JSON object of the active parameters, e.g. {"lr":0.01,"optimizer":"adam"}
//   RUNGS_BUDGET     JSON object of budget values, e.g. {"epochs":9,"data_fraction":0.5}
//   RUNGS_RESUME     "1" when the trial was promoted and may resume from its checkpoint
//   RUNGS_RESUME_LEVEL  when resumed: the budget level its checkpoint holds
//   RUNGS_INHERITED_FROM  population-based training: the trial whose checkpoint rungs copied
//                    into this trial's directory (RUNGS_RESUME is 1 too); the parameters are
//                    the new, explored ones: apply them to the loaded weights
// and writes the same facts to <trial dir>/params.json
//   {"trial_id":..,"params":{..},"budget":{..},"resume":bool,"resume_level":..}.
// Environment variables win; params.json is the fallback (e.g. a trial re-run by hand in its
// directory). Outside rungs every accessor returns an empty/default value, so a program
// using this header still runs standalone.
//
// A trial reports by printing one line per report on stdout:
//   @rungs {"step":3,"val_loss":0.41,"val_acc":0.88}
// Non-finite numbers (NaN, +-inf) are written as JSON null, here and in rungs_trial.py:
// JSON has no NaN, and rungs treats a null metric as "no finite value" (worst).
// Each line is written with one call and flushed: stdout is a pipe, so without the flush
// reports would sit in a buffer until the process exits.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

namespace rungs::trial {

inline constexpr std::string_view report_prefix = "@rungs ";

namespace detail {

inline std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

inline nlohmann::json parse_object(const std::string& text, std::string_view origin) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw std::runtime_error(std::string(origin) + " is not a JSON object: '" + text + "'");
  }
  return parsed;
}

// Replaces non-finite numbers by null, recursively (see the file comment).
template <class Json>
void null_non_finite(Json& value) {
  if (value.is_number_float() && !std::isfinite(value.template get<double>())) {
    value = nullptr;
  } else if (value.is_structured()) {
    for (auto& element : value) null_non_finite(element);
  }
}

}  // namespace detail

// True when this process was launched by rungs (RUNGS_TRIAL_ID is set).
inline bool launched_by_rungs() { return detail::env("RUNGS_TRIAL_ID").has_value(); }

// The trial directory: RUNGS_TRIAL_DIR, else the working directory.
inline std::filesystem::path trial_dir() {
  if (auto dir = detail::env("RUNGS_TRIAL_DIR"); dir && !dir->empty()) return *dir;
  return std::filesystem::current_path();
}

// <trial dir>/params.json as an object, or an empty object when absent.
// Throws std::runtime_error when the file exists but is not a JSON object.
inline nlohmann::json params_file() {
  const auto path = trial_dir() / "params.json";
  std::ifstream in(path);
  if (!in) return nlohmann::json::object();
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  return detail::parse_object(text, path.string());
}

namespace detail {
// One section of the protocol: the environment variable if set, else params.json[key].
inline nlohmann::json section(const char* variable, const char* key) {
  if (auto text = env(variable)) return parse_object(*text, variable);
  nlohmann::json file = params_file();
  if (auto it = file.find(key); it != file.end() && it->is_object()) return *it;
  return nlohmann::json::object();
}
}  // namespace detail

// The trial id, or "" outside rungs.
inline std::string trial_id() {
  if (auto id = detail::env("RUNGS_TRIAL_ID")) return *id;
  nlohmann::json file = params_file();
  if (auto it = file.find("trial_id"); it != file.end()) {
    return it->is_string() ? it->get<std::string>() : it->dump();
  }
  return {};
}

// Active parameters: {"lr":0.01,...}. Inactive (conditional) parameters are absent.
inline nlohmann::json params() { return detail::section("RUNGS_PARAMS", "params"); }

// Budget values: {"epochs":9,"data_fraction":0.5}.
inline nlohmann::json budget() { return detail::section("RUNGS_BUDGET", "budget"); }

// True when rungs lost the process that ran this trial (the campaign was interrupted, or a
// kept paused process was ended) and started it again: report the checkpoint's step once
// more after loading it, since its report may never have been printed; rungs drops repeats.
inline bool relaunched() {
  auto flag = detail::env("RUNGS_RELAUNCH");
  return flag && *flag == "1";
}

// Population-based training: the id of the trial whose checkpoint rungs copied into this
// trial's directory before this run, or nullopt. The checkpoint holds another trial's weights,
// trained with other hyperparameters: load it (resume() is true) and train on with params(),
// the new ones (a learning rate read back from the checkpoint would undo PBT).
inline std::optional<std::string> inherited_from() {
  if (auto donor = detail::env("RUNGS_INHERITED_FROM"); donor && !donor->empty()) return donor;
  nlohmann::json file = params_file();
  if (auto it = file.find("inherited_from"); it != file.end() && it->is_number_integer())
    return std::to_string(it->get<std::int64_t>());
  return std::nullopt;
}

// Where to save and load the checkpoint: `name` in the trial directory. Everything a trial
// writes in its directory (but rungs' own files) is its checkpoint: rungs copies it for
// population-based training (README, "The trial protocol").
inline std::filesystem::path checkpoint_path(const std::string& name = "checkpoint.bin") {
  return trial_dir() / name;
}

// True when the trial should continue from its checkpoint if it has one: it was promoted
// (RUNGS_RESUME=1), or it was out when the campaign stopped and rungs restarted it
// (RUNGS_RELAUNCH=1).
inline bool resume() {
  if (auto flag = detail::env("RUNGS_RELAUNCH"); flag && *flag == "1") return true;
  if (auto flag = detail::env("RUNGS_RESUME")) return *flag == "1" || *flag == "true";
  nlohmann::json file = params_file();
  if (auto it = file.find("resume"); it != file.end() && it->is_boolean()) return it->get<bool>();
  return false;
}

// When resumed (RUNGS_RESUME=1): the budget level (0, 1, ...) the checkpoint was saved at, the
// previous run's; a freeze-thaw leap may skip levels. nullopt otherwise.
inline std::optional<std::size_t> resume_level() {
  if (auto level = detail::env("RUNGS_RESUME_LEVEL")) {
    std::size_t value = 0;
    const char* end = level->data() + level->size();
    if (const auto [at, error] = std::from_chars(level->data(), end, value); error != std::errc() || at != end || level->empty())
      throw std::runtime_error("RUNGS_RESUME_LEVEL is not a level (0, 1, ...): '" + *level + "'");
    return value;
  }
  nlohmann::json file = params_file();
  if (auto it = file.find("resume_level"); it != file.end() && it->is_number_unsigned()) return it->get<std::size_t>();
  return std::nullopt;
}

// Typed lookups with a fallback, e.g. param<double>("lr", 1e-3), budget_value("epochs", 10.0).
template <class T>
T param(const std::string& name, T fallback) {
  const nlohmann::json all = params();
  auto it = all.find(name);
  return (it == all.end() || it->is_null()) ? fallback : it->get<T>();
}
template <class T>
T budget_value(const std::string& name, T fallback) {
  const nlohmann::json all = budget();
  auto it = all.find(name);
  return (it == all.end() || it->is_null()) ? fallback : it->get<T>();
}

// The report line without the trailing newline: "@rungs {"step":3,...}". "step" comes first
// and the metrics keep their order (ordered_json), so the lines stay readable in logs.
// A "step" key inside `metrics` is ignored: the argument is the step.
inline std::string format_report(std::int64_t step, const nlohmann::ordered_json& metrics) {
  if (!metrics.is_object()) throw std::invalid_argument("rungs::trial: metrics must be an object");
  nlohmann::ordered_json line;
  line["step"] = step;
  for (const auto& [name, value] : metrics.items()) {
    if (name != "step") line[name] = value;
  }
  // nlohmann would print NaN as null anyway; doing it explicitly keeps that a decision.
  detail::null_non_finite(line);
  return std::string(report_prefix) + line.dump();
}

inline std::string format_report(std::int64_t step, const nlohmann::json& metrics) {
  return format_report(step, nlohmann::ordered_json(metrics));
}

inline std::string format_report(std::int64_t step,
                                 std::initializer_list<std::pair<std::string_view, double>> metrics) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (const auto& [name, value] : metrics) object[std::string(name)] = value;
  return format_report(step, object);
}

namespace detail {
// One write per line under a lock, so lines from several threads never interleave.
inline void write_line(std::string line) {
  static std::mutex mutex;
  line.push_back('\n');
  std::lock_guard lock(mutex);
  std::cout.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cout.flush();
}
}  // namespace detail

// Writes one report line to std::cout and flushes. Thread-safe.
//   rungs::trial::report(epoch, {{"val_loss", 0.41}, {"val_acc", 0.88}});
inline void report(std::int64_t step,
                   std::initializer_list<std::pair<std::string_view, double>> metrics) {
  detail::write_line(format_report(step, metrics));
}

// For metrics that are not all doubles (integers, strings, nested values).
inline void report(std::int64_t step, const nlohmann::ordered_json& metrics) {
  detail::write_line(format_report(step, metrics));
}
inline void report(std::int64_t step, const nlohmann::json& metrics) {
  detail::write_line(format_report(step, metrics));
}

}  // namespace rungs::trial
