#include "campaign/yaml_runner.hpp"

#include <fmt/format.h>

#include <regex>

#include "runners/slurm_commands.hpp"

namespace rungs::campaign {

namespace {

// Options rungs sets itself on every job (runners/slurm_commands.cpp: sbatch_argv).
constexpr std::string_view kOwnOptions[] = {"--output", "-o", "--error", "-e", "--chdir", "-D", "--job-name", "-J",
                                            "--parsable", "--requeue", "--no-requeue", "--open-mode", "--export",
                                            "--wrap", "--array", "-a", "--signal"};

std::string read_text(const YamlNode& node) {
  const auto text = node.as_string();
  if (text.empty()) node.fail("must not be empty");
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) node.fail("must not hold control characters");
  return text;
}

// "12:00:00", "1-00:00:00", "90" (Slurm: minutes), or a rungs duration with a unit ("12h", "20m").
std::string read_time(const YamlNode& node) {
  const auto text = read_text(node);
  static const std::regex slurm(R"(^(\d+-)?\d+(:\d{1,2}){0,2}$|^(UNLIMITED|unlimited|infinite)$)");
  static const std::regex with_unit(R"(^\s*[0-9]*\.?[0-9]+\s*(ms|s|m|h)\s*$)");
  if (std::regex_match(text, with_unit))
    return runners::slurm_time(std::chrono::duration_cast<std::chrono::seconds>(read_duration(node)));
  if (!std::regex_match(text, slurm))
    node.fail(fmt::format("expected a Slurm time such as 12:00:00 or 1-12:00:00, or a duration such as 12h, got '{}'", text));
  return text;
}

SlurmRequests read_requests(const YamlNode& node, SlurmSpec& spec, const std::string& prefix) {
  SlurmRequests requests;
  for (auto [key, field] : {std::pair{"partition", &SlurmRequests::partition}, {"gres", &SlurmRequests::gres},
                            {"mem", &SlurmRequests::mem}, {"account", &SlurmRequests::account},
                            {"qos", &SlurmRequests::qos}})
    if (auto value = node.find(key)) {
      requests.*field = read_text(*value);
      spec.written_at[prefix + key] = value->location();
    }
  if (auto time = node.find("time")) {
    requests.time = read_time(*time);
    spec.written_at[prefix + "time"] = time->location();
  }
  if (auto cpus = node.find("cpus_per_task")) {
    const auto count = cpus->as_int();
    if (count < 1 || count > 100000) cpus->fail(fmt::format("must be between 1 and 100000, got {}", count));
    requests.cpus_per_task = static_cast<std::size_t>(count);
    spec.written_at[prefix + "cpus_per_task"] = cpus->location();
  }
  if (auto args = node.find("sbatch_args")) {
    if (args->is_scalar()) args->fail("must be a list of sbatch options, e.g. [--constraint=a100]");
    for (const auto& item : args->items()) {
      const auto text = read_text(item);
      if (text.front() != '-') item.fail(fmt::format("'{}' is not an sbatch option (they start with -)", text));
      const auto name = text.substr(0, text.find('='));
      for (const auto own : kOwnOptions)
        if (name == own) item.fail(fmt::format("rungs sets {} on every job itself", name));
      requests.sbatch_args.push_back(text);
    }
    spec.written_at[prefix + "sbatch_args"] = args->location();
  }
  return requests;
}

}  // namespace

RunnerSpec read_runner(const YamlNode& node) {
  RunnerSpec spec;
  const auto type = node.is_scalar() ? node.as_string() : node.get_string("type", "local");
  const auto type_node = node.is_scalar() ? node : node.at("type");
  if (type == "local") {
    if (!node.is_scalar()) node.expect_keys({"type"});
    return spec;
  }
  if (type != "slurm") type_node.fail(fmt::format("unknown runner '{}' (known: local, slurm)", type));
  if (node.is_scalar()) return spec.kind = RunnerSpec::Kind::Slurm, spec;
  node.expect_keys({"type", "partition", "time", "cpus_per_task", "gres", "mem", "account", "qos", "sbatch_args",
                    "poll", "max_resubmits", "warn_before_limit", "levels"});
  spec.kind = RunnerSpec::Kind::Slurm;
  auto& slurm = spec.slurm;
  slurm.at = node.location();
  slurm.requests = read_requests(node, slurm, "");
  if (auto poll = node.find("poll")) {
    slurm.poll = read_duration(*poll);
    if (slurm.poll < std::chrono::seconds(1)) poll->fail("must be at least 1s (every poll is a call to the controller)");
  }
  if (auto resubmits = node.find("max_resubmits")) {
    const auto count = resubmits->as_int();
    if (count < 0 || count > 1000) resubmits->fail(fmt::format("must be between 0 and 1000, got {}", count));
    slurm.max_resubmits = static_cast<std::size_t>(count);
  }
  if (auto warn = node.find("warn_before_limit")) {
    slurm.warn_before_limit = std::chrono::duration_cast<std::chrono::seconds>(read_duration(*warn));
    if (slurm.warn_before_limit > std::chrono::hours(24)) warn->fail("must be at most 24h");
  }
  if (auto levels = node.find("levels")) {
    levels->expect_map();
    for (const auto& [key, entry] : levels->entries()) {
      std::size_t level = 0;
      if (key.empty() || key.size() > 4 || key.find_first_not_of("0123456789") != std::string::npos)
        entry.fail(fmt::format("'{}' is not a budget level (0, 1, 2...)", key));
      level = std::stoul(key);
      entry.expect_keys({"partition", "time", "cpus_per_task", "gres", "mem", "account", "qos", "sbatch_args"});
      slurm.levels[level] = read_requests(entry, slurm, fmt::format("levels.{}.", key));
    }
  }
  return spec;
}

}  // namespace rungs::campaign
