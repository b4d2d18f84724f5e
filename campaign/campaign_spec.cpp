#include "campaign/campaign_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>

#include "campaign/yaml_reader.hpp"
#include "campaign/yaml_optimizer.hpp"
#include "campaign/yaml_scheduler.hpp"
#include "campaign/yaml_space.hpp"
#include "runners/command_template.hpp"
#include "runners/report_parser.hpp"

namespace rungs::campaign {

namespace {

// "90", "90s", "1.5m", "2h", "500ms" -> milliseconds.
std::chrono::milliseconds read_duration(const YamlNode& node) {
  static const std::regex pattern(R"(^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|h)?\s*$)");
  const std::string text = node.as_string();
  std::smatch match;
  if (!std::regex_match(text, match, pattern))
    node.fail(fmt::format("expected a duration such as 30, 30s, 5m or 2h, got '{}'", text));
  const double amount = std::stod(match[1]);
  const std::string unit = match[2].matched ? match[2].str() : "s";
  const double ms = amount * (unit == "ms" ? 1 : unit == "s" ? 1e3 : unit == "m" ? 6e4 : 3.6e6);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

bool is_identifier(const std::string& name) {
  static const std::regex pattern("^[A-Za-z_][A-Za-z0-9_]*$");
  return std::regex_match(name, pattern);
}

MetricSpec read_metric(const YamlNode& node) {
  MetricSpec metric;
  if (node.is_scalar()) {  // `metric: val_loss` means minimize val_loss
    metric.name = node.as_string();
    return metric;
  }
  node.expect_keys({"name", "mode"});
  metric.name = node.at("name").as_string();
  if (auto mode = node.find("mode")) {
    const auto text = mode->as_string();
    if (text != "min" && text != "max") mode->fail(fmt::format("must be min or max, got '{}'", text));
    metric.maximize = text == "max";
  }
  return metric;
}

fidelity::Dimension read_dimension(const std::string& name, const YamlNode& node) {
  node.expect_keys({"type", "growth", "min", "max", "values"});
  fidelity::Dimension dim;
  dim.name = name;
  if (!is_identifier(name)) node.fail("a dimension name must be an identifier (letters, digits, _)");
  const auto type = node.get_string("type", "float");
  if (type != "int" && type != "float") node.fail(fmt::format("type must be int or float, got '{}'", type));
  dim.integer = type == "int";
  const auto growth = node.get_string("growth", "fixed");
  if (growth != "continued" && growth != "fixed")
    node.at("growth").fail(fmt::format("must be continued (like epochs) or fixed (like a data fraction), got '{}'", growth));
  dim.growth = growth == "continued" ? fidelity::Growth::Continued : fidelity::Growth::Fixed;

  const bool listed = node.has("values");
  if (listed && (node.has("min") || node.has("max")))
    node.at("values").fail("give either values (one per level) or min and max, not both");
  if (listed) {
    fidelity::Listed list;
    for (const auto& item : node.at("values").items()) list.values.push_back(item.as_double());
    dim.mapping = list;
  } else {
    const double low = node.at("min").as_double();
    const double high = node.at("max").as_double();
    if (!(low > 0)) node.at("min").fail(fmt::format("must be positive for a geometric ladder, got {}", low));
    if (!(high >= low)) node.at("max").fail(fmt::format("must be at least min ({}), got {}", low, high));
    dim.mapping = fidelity::Geometric{low, high};
  }
  return dim;
}

fidelity::BudgetLadder read_budget(const YamlNode& node, double eta) {
  node.expect_keys({"min", "max", "dimensions"});
  const double low = node.at("min").as_double();
  const double high = node.at("max").as_double();
  if (!(low > 0)) node.at("min").fail(fmt::format("must be positive, got {}", low));
  if (!(high >= low)) node.at("max").fail(fmt::format("must be at least min ({}), got {}", low, high));
  std::vector<fidelity::Dimension> dims;
  std::vector<YamlNode> dim_nodes;
  if (auto dimensions = node.find("dimensions")) {
    for (const auto& [name, dim_node] : dimensions->entries()) {
      dims.push_back(read_dimension(name, dim_node));
      dim_nodes.push_back(dim_node);
    }
  }
  try {
    return fidelity::BudgetLadder(low, high, eta, dims);
  } catch (const std::invalid_argument& e) {
    // The ladder names the dimension at fault; point at it when we can.
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (std::string(e.what()).find("'" + dims[i].name + "'") != std::string::npos) dim_nodes[i].fail(e.what());
    node.fail(e.what());
  }
}

TrialSpec read_trial(const YamlNode& node) {
  node.expect_keys({"command", "env", "report", "timeout", "grace_period"});
  TrialSpec spec;
  const auto command = node.at("command");
  if (command.is_scalar())
    command.fail("must be a list of arguments, e.g. [python3, train.py, --lr, \"{lr}\"]; no shell is used");
  spec.command = command.as_strings();
  if (spec.command.empty()) command.fail("must not be empty");
  if (auto env = node.find("env"))
    for (const auto& [key, value] : env->entries()) spec.env[key] = value.as_string();
  if (auto report = node.find("report")) {
    report->expect_keys({"format", "pattern"});
    const auto format = report->get_string("format", "json");
    if (format == "json") {
      if (report->has("pattern")) report->at("pattern").fail("a pattern needs format: regex");
    } else if (format == "regex") {
      spec.report_format = ReportFormat::Regex;
      // Without a pattern: name=value pairs such as `epoch=3 loss=0.25`.
      spec.report_pattern = report->get_string("pattern", std::string(runners::default_metric_regex));
      try {
        runners::ReportParser::regex(spec.report_pattern);  // the parser the loop will use
      } catch (const std::invalid_argument& e) {
        report->at("pattern").fail(e.what());
      }
    } else {
      report->at("format").fail(fmt::format("must be json or regex, got '{}'", format));
    }
  }
  if (auto timeout = node.find("timeout")) spec.timeout = read_duration(*timeout);
  if (auto grace = node.find("grace_period")) spec.grace = read_duration(*grace);
  return spec;
}

// Every placeholder in the command must name a parameter, a dimension or a builtin, and no
// name may mean two things.
void check_placeholders(const CampaignSpec& spec, const YamlNode& root) {
  std::set<std::string> known(builtin_placeholders().begin(), builtin_placeholders().end());
  const auto command_node = root.at("trial").at("command");
  for (const auto& param : spec.space.parameters()) {
    if (known.count(param.name))
      root.at("space").at(param.name).fail(fmt::format("'{}' is reserved for rungs' own placeholder", param.name));
    known.insert(param.name);
  }
  for (const auto& dim : spec.ladder.dimensions()) {
    if (known.count(dim.name))
      root.at("budget").at("dimensions").at(dim.name).fail(
          fmt::format("'{}' is already a parameter or a reserved placeholder", dim.name));
    known.insert(dim.name);
  }
  std::vector<std::string> placeholders;
  try {
    placeholders = runners::placeholders_of(spec.trial.command);
  } catch (const std::invalid_argument& e) {
    command_node.fail(e.what());
  }
  for (const auto& name : placeholders) {
    if (known.count(name)) continue;
    std::string names;
    for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
    command_node.fail(fmt::format("unknown placeholder {{{}}} (known: {})", name, names));
  }
}

CampaignSpec read_campaign(const YamlNode& root, const std::filesystem::path& file,
                           const std::filesystem::path& directory) {
  root.expect_keys({"name", "seed", "metric", "space", "budget", "scheduler", "optimizer", "trial", "output"});
  CampaignSpec spec;
  spec.file = file;
  spec.directory = directory;
  spec.name = root.get_string("name", file.stem().string());
  spec.seed = static_cast<std::uint64_t>(root.get_int("seed", 0));
  if (auto metric = root.find("metric")) spec.metric = read_metric(*metric);
  spec.space = read_search_space(root.at("space"));
  if (auto scheduler = root.find("scheduler")) spec.scheduler = read_scheduler(*scheduler);
  spec.ladder = read_budget(root.at("budget"), spec.scheduler.eta);
  if (spec.scheduler.bracket && *spec.scheduler.bracket > spec.ladder.s_max())
    root.at("scheduler").at("bracket").fail(fmt::format(
        "this budget has brackets 0..{} (s_max = floor(log_eta(max/min)))", spec.ladder.s_max()));
  if (auto optimizer = root.find("optimizer")) spec.optimizer = read_optimizer(*optimizer);
  spec.trial = read_trial(root.at("trial"));
  if (auto output = root.find("output")) spec.output = directory / output->as_string();
  check_placeholders(spec, root);
  return spec;
}

}  // namespace

const std::vector<std::string>& builtin_placeholders() {
  static const std::vector<std::string> names = {"trial_id", "trial_dir", "campaign_dir", "budget",
                                                 "level", "resume"};
  return names;
}

CampaignSpec load_campaign(const std::filesystem::path& file) {
  const auto absolute = std::filesystem::absolute(file).lexically_normal();
  const auto root = YamlNode::load_file(file.string());
  return read_campaign(root, absolute, absolute.parent_path());
}

CampaignSpec parse_campaign(const std::string& text, const std::string& file_name,
                            const std::filesystem::path& directory) {
  const auto root = YamlNode::load_string(text, file_name);
  return read_campaign(root, std::filesystem::path(directory) / file_name, directory);
}

}  // namespace rungs::campaign
