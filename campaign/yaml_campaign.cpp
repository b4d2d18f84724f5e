// Reading a campaign file (campaign/campaign_spec.hpp): the whole document, section by
// section, with the checks that span sections (placeholders, environment, pausing).
#include "campaign/campaign_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "campaign/campaign_name.hpp"
#include "campaign/yaml_budget.hpp"
#include "campaign/yaml_limits.hpp"
#include "campaign/yaml_reader.hpp"
#include "campaign/yaml_objectives.hpp"
#include "campaign/yaml_optimizer.hpp"
#include "campaign/yaml_pbt.hpp"
#include "campaign/yaml_runner.hpp"
#include "campaign/yaml_scheduler.hpp"
#include "campaign/yaml_space.hpp"
#include "campaign/yaml_start_with.hpp"
#include "campaign/yaml_warm_start.hpp"
#include "fidelity/dimension_registry.hpp"
#include "fidelity/plugin_loader.hpp"
#include "runners/command_template.hpp"
#include "runners/report_parser.hpp"

namespace rungs::campaign {

namespace {

bool is_identifier(const std::string& name) {
  static const std::regex pattern("^[A-Za-z_][A-Za-z0-9_]*$");
  return std::regex_match(name, pattern);
}

// A dimension of a registered kind (fidelity/dimension_registry.hpp): `kind` and `env` are
// ours, every other key is the kind's option.
fidelity::Dimension read_custom_dimension(const std::string& name, const YamlNode& node) {
  const auto kind_node = node.at("kind");
  const auto kind_name = kind_node.as_string();
  const auto* kind = fidelity::dimension_registry().find(kind_name);
  if (kind == nullptr) {
    std::string known;
    for (const auto& k : fidelity::dimension_registry().names()) known += (known.empty() ? "" : ", ") + k;
    kind_node.fail(fmt::format("unknown dimension kind '{}' (registered: {}); a plugin listed under `plugins:` "
                               "registers more",
                               kind_name, known.empty() ? "none" : known));
  }
  fidelity::DimensionOptions options;
  for (const auto& [key, value] : node.entries()) {
    if (key == "kind" || key == "env") continue;
    if (value.is_sequence()) {
      std::vector<std::string> items;
      for (const auto& item : value.items()) items.push_back(item.as_string());
      options.set_list(key, std::move(items));
    } else {
      options.set(key, value.as_string());
    }
  }
  fidelity::Dimension dim;
  dim.name = name;
  if (auto env = node.find("env")) dim.env = env->as_string();
  try {
    auto made = kind->make(options);
    if (!made) node.fail(fmt::format("dimension kind '{}' made no dimension", kind_name));
    dim.mapping = fidelity::Custom{std::move(made), kind_name};
  } catch (const fidelity::OptionError& e) {
    (node.has(e.key()) ? node.at(e.key()) : node).fail(fmt::format("{} (kind '{}')", e.what(), kind_name));
  } catch (const std::invalid_argument& e) {
    node.fail(fmt::format("kind '{}': {}", kind_name, e.what()));
  }
  if (const auto unused = options.unused(); !unused.empty()) {
    std::string known;
    for (const auto& k : kind->options) known += (known.empty() ? "" : ", ") + k;
    node.at(unused.front()).fail(fmt::format("'{}' is not an option of dimension kind '{}' (options: {}; and env)",
                                             unused.front(), kind_name, known.empty() ? "none" : known));
  }
  return dim;
}

fidelity::Dimension read_dimension(const std::string& name, const YamlNode& node) {
  if (!is_identifier(name)) node.fail("a dimension name must be an identifier (letters, digits, _)");
  if (node.is_map() && node.has("kind")) return read_custom_dimension(name, node);
  node.expect_keys({"type", "growth", "min", "max", "values", "cost_power", "on_change", "env"});
  fidelity::Dimension dim;
  dim.name = name;
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
  if (auto power = node.find("cost_power")) {
    dim.cost_power = power->as_double();
    if (!(dim.cost_power >= 0) || !std::isfinite(dim.cost_power))
      power->fail(fmt::format("must be a number >= 0 (1: cost grows linearly with the value, 2: with its square), got {}",
                              dim.cost_power));
  }
  if (auto change = node.find("on_change")) {
    const auto text = change->as_string();
    if (text != "rerun" && text != "warm_start")
      change->fail(fmt::format("must be rerun (start over at the new value) or warm_start (continue from the "
                               "checkpoint at the new value), got '{}'",
                               text));
    if (dim.growth != fidelity::Growth::Fixed)
      change->fail("only a growth: fixed dimension changes value between runs; a continued one always resumes");
    dim.warm_start = text == "warm_start";
  }
  if (auto env = node.find("env")) dim.env = env->as_string();
  return dim;
}

fidelity::CostModel read_cost_model(const YamlNode& node) {
  const auto text = node.as_string();
  if (text == "product") return fidelity::CostModel::product();
  if (text == "units") return fidelity::CostModel::units();
  if (text.find_first_not_of(" \t") == std::string::npos)
    node.fail("must be product, units, or a formula such as \"epochs * data_fraction * (resolution/28)^2\"");
  return fidelity::CostModel::formula(text);
}

}  // namespace

fidelity::BudgetLadder read_budget(const YamlNode& node, double eta) {
  node.expect_keys({"min", "max", "step", "dimensions", "cost"});
  const double low = node.at("min").as_double();
  const double high = node.at("max").as_double();
  if (!(low > 0)) node.at("min").fail(fmt::format("must be positive, got {}", low));
  if (!(high >= low)) node.at("max").fail(fmt::format("must be at least min ({}), got {}", low, high));
  std::optional<double> step;  // linear levels (fidelity/ladder.hpp), for freeze_thaw
  if (auto step_node = node.find("step")) {
    step = step_node->as_double();
    const double count = (high - low) / *step;
    if (!(*step > 0) || count < 1 - 1e-9 || std::abs(count - std::round(count)) > 1e-6)
      step_node->fail(fmt::format("must divide max - min = {} into a whole number of steps, got {}", high - low, *step));
  }
  std::vector<fidelity::Dimension> dims;
  std::vector<YamlNode> dim_nodes;
  if (auto dimensions = node.find("dimensions")) {
    for (const auto& [name, dim_node] : dimensions->entries()) {
      dims.push_back(read_dimension(name, dim_node));
      dim_nodes.push_back(dim_node);
    }
  }
  // Campaigns price runs by the product of the dimensions' relative costs unless they say
  // otherwise (fidelity/cost_model.hpp).
  const auto cost_node = node.find("cost");
  const auto cost = cost_node ? read_cost_model(*cost_node) : fidelity::CostModel::product();
  try {
    return fidelity::BudgetLadder(low, high, eta, dims, cost, step);
  } catch (const std::invalid_argument& e) {
    // The ladder names the dimension or the cost at fault; point at it when we can.
    const std::string message = e.what();
    if (cost_node && message.rfind("cost", 0) == 0) cost_node->fail(message);
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (message.find("'" + dims[i].name + "'") != std::string::npos) dim_nodes[i].fail(message);
    node.fail(message);
  }
}

namespace {

// Dimension plugins (`plugins: [libdownsample.so]`) register their kinds before the budget is
// read. A bare file name is looked up beside the rungs binary (fidelity/plugin_loader.hpp).
std::vector<std::filesystem::path> load_plugins(const YamlNode& node, const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> loaded;
  const auto items = node.is_scalar() ? std::vector<YamlNode>{node} : node.items();
  for (const auto& item : items) {
    try {
      loaded.push_back(fidelity::find_dimension_plugin(item.as_string(), directory));
      fidelity::load_dimension_plugin(loaded.back());
    } catch (const std::exception& e) {
      item.fail(e.what());
    }
  }
  return loaded;
}

// Every dimension reaches the trial in its own environment variable (RUNGS_BUDGET_<NAME> or
// its `env`), plus any a custom kind adds: each must be a valid name, unique, and none may
// shadow the protocol's variables or the trial's own `env`.
void check_environment(const CampaignSpec& spec, const YamlNode& root) {
  static const std::regex env_pattern("^[A-Za-z_][A-Za-z0-9_]*$");
  const std::set<std::string> protocol(protocol_variables().begin(), protocol_variables().end());
  std::map<std::string, std::string> owner;  // variable -> dimension
  if (spec.ladder.dimensions().empty()) return;
  const auto dims_node = root.at("budget").at("dimensions");
  for (const auto& dim : spec.ladder.dimensions()) {
    const auto dim_node = dims_node.at(dim.name);
    const auto at = dim_node.has("env") ? dim_node.at("env") : dim_node;
    std::vector<std::string> names = {fidelity::env_name(dim)};
    if (const auto* custom = std::get_if<fidelity::Custom>(&dim.mapping))
      for (std::size_t k = 0; k < spec.ladder.levels(); ++k)
        for (const auto& [name, value] : custom->dimension->environment(spec.ladder.at(k).values.at(dim.name)))
          if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    for (const auto& name : names) {
      if (!std::regex_match(name, env_pattern))
        at.fail(fmt::format("'{}' is not a valid environment variable name (letters, digits, _)", name));
      if (protocol.count(name)) at.fail(fmt::format("'{}' is a variable of the trial protocol", name));
      if (const auto other = owner.find(name); other != owner.end())
        at.fail(fmt::format("environment variable '{}' is also set by dimension '{}'", name, other->second));
      if (spec.trial.env.count(name))
        root.at("trial").at("env").at(name).fail(fmt::format("'{}' is set by budget dimension '{}'", name, dim.name));
      owner[name] = dim.name;
    }
  }
}

TrialSpec read_trial(const YamlNode& node) {
  node.expect_keys({"command", "env", "report", "timeout", "grace_period", "heartbeat", "on_stale", "retries", "pause",
                    "max_paused", "max_failures_before_success"});
  TrialSpec spec;
  const auto command = node.at("command");
  if (command.is_scalar())
    command.fail("must be a list of arguments, e.g. [python3, train.py, --lr, \"{lr}\"]; no shell is used");
  spec.command = command.as_strings();
  if (command.is_sequence() && !command.items().empty()) spec.program_at = command.items().front().location();
  if (spec.command.empty()) command.fail("must not be empty");
  if (auto env = node.find("env"))
    for (const auto& [key, value] : env->entries()) {
      // rungs sets its protocol's variables itself, last: a RUNGS_* entry here would be
      // overridden (or would override the protocol) without a word.
      if (key.rfind("RUNGS_", 0) == 0)
        value.fail(fmt::format("'{}': variables named RUNGS_* belong to rungs' trial protocol (docs: trial protocol)", key));
      spec.env[key] = value.as_string();
    }
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
  if (auto heartbeat = node.find("heartbeat")) spec.heartbeat = read_duration(*heartbeat);
  if (auto on_stale = node.find("on_stale")) {
    const auto policy = on_stale->as_string();
    if (policy == "fail") spec.on_stale = TrialSpec::OnStale::Fail;
    else if (policy == "retry") spec.on_stale = TrialSpec::OnStale::Retry;
    else if (policy == "stop") spec.on_stale = TrialSpec::OnStale::Stop;
    else on_stale->fail(fmt::format("must be fail, retry or stop, got '{}'", policy));
  }
  if (auto retries = node.find("retries")) {
    const auto count = retries->as_int();
    if (count < 0 || count > 100) retries->fail(fmt::format("must be between 0 and 100, got {}", count));
    spec.retries = static_cast<std::size_t>(count);
  }
  if (auto limit = node.find("max_failures_before_success")) {
    if (limit->as_int() < 0) limit->fail(fmt::format("must be 0 (no limit) or more, got {}", limit->as_int()));
    spec.max_failures_before_success = static_cast<std::size_t>(limit->as_int());
  }
  if (auto pause = node.find("pause")) {
    const auto how = pause->as_string();
    if (how != "exit" && how != "signal") pause->fail(fmt::format("must be exit or signal, got '{}'", how));
    spec.keep_paused = how == "signal";
  }
  if (auto max_paused = node.find("max_paused")) {
    const auto count = max_paused->as_int();
    if (count < 1) max_paused->fail(fmt::format("must be at least 1, got {}", count));
    spec.max_paused = static_cast<std::size_t>(count);
  }
  return spec;
}

// The bracket successive halving or ASHA was told to run (`bracket:`), if any.
std::optional<std::size_t> chosen_bracket(const study::SchedulerKind& kind) {
  if (const auto* halving = std::get_if<scheduler::SuccessiveHalvingOptions>(&kind)) return halving->bracket;
  if (const auto* asha = std::get_if<scheduler::AshaOptions>(&kind)) return asha->bracket;
  return std::nullopt;
}

// pause: signal continues a paused process, so the budget must grow along one dimension a
// run continues (epochs), and the scheduler must pause trials at rungs rather than stop them.
void check_pausing(const CampaignSpec& spec, const YamlNode& at) {
  std::size_t continued = 0;
  for (const auto& dim : spec.ladder.dimensions()) continued += dim.growth == fidelity::Growth::Continued;
  if (continued != 1)
    at.fail(fmt::format("pause: signal needs exactly one budget dimension with growth: continued (the step a "
                        "run pauses at), found {}",
                        continued));
  const auto* asha = std::get_if<scheduler::AshaOptions>(&spec.scheduler.kind);
  const auto* async_hyperband = std::get_if<scheduler::AsyncHyperbandOptions>(&spec.scheduler.kind);
  if ((asha && asha->mode == scheduler::AshaMode::Stopping) ||
      (async_hyperband && async_hyperband->mode == scheduler::AshaMode::Stopping))
    at.fail("pause: signal needs a scheduler that pauses trials at rungs; scheduler.mode is stopping");
  if (std::holds_alternative<scheduler::PbtOptions>(spec.scheduler.kind))
    at.fail("pbt needs pause: exit: a member that exploits another continues from a copied checkpoint, which a "
            "kept process would not load");
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
  root.expect_keys({"name", "seed", "metric", "space", "budget", "scheduler", "optimizer", "trial", "output", "plugins",
                   "runner", "start_with", "warm_start", "limits", "constraints", "scalarize"});
  CampaignSpec spec;
  spec.file = file;
  spec.directory = directory;
  if (auto name = root.find("name")) {
    spec.name = name->as_string();
    if (const auto problem = campaign_name_problem(spec.name)) name->fail(*problem);
  } else {
    spec.name = safe_campaign_name(file.stem().string());
  }
  spec.seed = static_cast<std::uint64_t>(root.get_int("seed", 0));
  read_objectives(spec, root);
  spec.space = read_search_space(root.at("space"));
  if (auto start_with = root.find("start_with")) spec.start_with = read_start_with(*start_with, spec.space);
  if (auto warm_start = root.find("warm_start")) spec.warm_start = read_warm_start_spec(*warm_start, directory);
  if (auto scheduler = root.find("scheduler")) spec.scheduler = read_scheduler(*scheduler);
  if (auto plugins = root.find("plugins")) spec.plugins = load_plugins(*plugins, directory);
  spec.ladder = read_budget(root.at("budget"), spec.scheduler.eta);
  if (const auto bracket = chosen_bracket(spec.scheduler.kind); bracket && *bracket > spec.ladder.s_max())
    root.at("scheduler").at("bracket").fail(fmt::format(
        "this budget has brackets 0..{} (s_max = floor(log_eta(max/min)))", spec.ladder.s_max()));
  const bool linear_scheduler = std::holds_alternative<scheduler::FreezeThawOptions>(spec.scheduler.kind) ||
                                std::holds_alternative<scheduler::PbtOptions>(spec.scheduler.kind);
  if (spec.ladder.step() && !linear_scheduler)
    root.at("budget").at("step").fail("linear levels are for freeze_thaw and pbt: Hyperband, successive halving and "
                                      "ASHA need geometric levels (leave out step)");
  if (const auto* pbt = std::get_if<scheduler::PbtOptions>(&spec.scheduler.kind)) check_pbt_budget(*pbt, spec.ladder, root);
  read_campaign_limits(spec, root);
  if (auto optimizer = root.find("optimizer")) spec.optimizer = read_optimizer(*optimizer);
  spec.trial = read_trial(root.at("trial"));
  if (spec.trial.keep_paused) check_pausing(spec, root.at("trial").at("pause"));
  if (auto runner = root.find("runner")) {
    spec.runner = read_runner(*runner);
    for (const auto& [level, requests] : spec.runner.slurm.levels)
      if (level > spec.ladder.s_max())
        runner->at("levels").at(std::to_string(level)).fail(fmt::format("this budget has levels 0..{}", spec.ladder.s_max()));
    // A Slurm job cannot be frozen and thawed: a pausing trial ends and is resubmitted.
    if (spec.runner.kind == RunnerSpec::Kind::Slurm && spec.trial.keep_paused)
      root.at("trial").at("pause").fail("a Slurm job cannot be kept paused: use pause: exit with runner slurm");
  }
  if (auto output = root.find("output")) spec.output = directory / output->as_string();
  check_placeholders(spec, root);
  check_environment(spec, root);
  return spec;
}

}  // namespace

CampaignSpec load_campaign(const std::filesystem::path& file) {
  const auto absolute = std::filesystem::absolute(file).lexically_normal();
  const auto root = YamlNode::load_file(file.string());
  auto spec = read_campaign(root, absolute, absolute.parent_path());
  // The past campaigns are read for a new campaign (and validate) only: a stored campaign's
  // YAML read again (parse_campaign) goes on with what its store recorded.
  if (!spec.warm_start.empty())
    use_warm_start(spec, read_warm_start(spec.warm_start, spec.space, spec.ladder, spec.metric.name,
                                         spec.metric.maximize, spec.start_with));
  return spec;
}

CampaignSpec parse_campaign(const std::string& text, const std::string& file_name,
                            const std::filesystem::path& directory) {
  const auto root = YamlNode::load_string(text, file_name);
  return read_campaign(root, std::filesystem::path(directory) / file_name, directory);
}

}  // namespace rungs::campaign
