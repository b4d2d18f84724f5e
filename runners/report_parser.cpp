#include "runners/report_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace rungs::runners {

namespace {

// libstdc++'s std::regex recurses once per character of a match attempt: a huge line could
// overflow the stack. Metric lines are short; longer lines are refused in regex mode.
constexpr std::size_t max_regex_line = 8192;

std::string excerpt(std::string_view line) {
  constexpr std::size_t keep = 80;
  return line.size() <= keep ? std::string(line) : std::string(line.substr(0, keep)) + "...";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// "nan", "inf", "-Infinity", ... as a double; nullopt for any other string.
std::optional<double> nonfinite_from_string(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (iequals(s, "nan")) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (iequals(s, "inf") || iequals(s, "infinity")) {
    const double inf = std::numeric_limits<double>::infinity();
    return negative ? -inf : inf;
  }
  return std::nullopt;
}

// Python's json.dumps writes NaN, Infinity and -Infinity as bare tokens (not JSON), C's
// printf writes nan/inf. Outside string literals, turn them into the strings we accept.
std::string quote_nonfinite_tokens(std::string_view text) {
  static constexpr std::string_view tokens[] = {"-Infinity", "Infinity", "-inf", "inf",
                                                "NaN",       "-nan",     "nan"};
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      continue;
    }
    bool replaced = false;
    for (const auto token : tokens) {
      if (text.substr(i, token.size()) != token) {
        continue;
      }
      const auto end = i + token.size();
      const bool bounded =
          end == text.size() ||
          !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_');
      if (bounded) {
        out += '"';
        out += token;
        out += '"';
        i = end - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += c;
    }
  }
  return out;
}

// Moves the step out of the metrics: `step`, else `epoch`. Returns an error message if the
// chosen value is not an integer.
std::optional<std::string> take_step(Report& report) {
  for (const char* key : {"step", "epoch"}) {
    const auto found = report.metrics.find(key);
    if (found == report.metrics.end()) {
      continue;
    }
    const double value = found->second;
    // 2^63 is exactly representable; anything at or beyond it does not fit an int64.
    if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) >= 0x1p63) {
      return fmt::format("'{}' must be an integer, got {}", key, value);
    }
    report.step = static_cast<std::int64_t>(value);
    report.metrics.erase(found);
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<double> number_from_json(const nlohmann::json& value) {
  if (value.is_number()) {
    return value.get<double>();
  }
  if (value.is_null()) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (value.is_string()) {
    return nonfinite_from_string(value.get_ref<const std::string&>());
  }
  return std::nullopt;  // booleans, arrays, objects: context, not metrics
}

}  // namespace

ReportParser ReportParser::tagged_json(std::string prefix) {
  const bool blank =
      std::all_of(prefix.begin(), prefix.end(), [](char c) { return is_space(c); });
  if (blank) {
    throw std::invalid_argument("report prefix must not be blank");
  }
  return ReportParser(std::move(prefix), std::nullopt);
}

ReportParser ReportParser::regex(const std::string& pattern) {
  std::regex compiled;
  try {
    compiled = std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(fmt::format("bad report regex '{}': {}", pattern, e.what()));
  }
  if (compiled.mark_count() < 2) {
    throw std::invalid_argument(fmt::format(
        "report regex '{}' needs two capture groups (metric name, value), has {}", pattern,
        compiled.mark_count()));
  }
  return ReportParser(std::string(), std::move(compiled));
}

ParseResult ReportParser::parse(std::string_view line) const {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return pattern_ ? parse_regex(line) : parse_json(line);
}

ParseResult ReportParser::parse_json(std::string_view line) const {
  // The prefix without its trailing blanks must start the line and be followed by a blank
  // or the object itself: "@rungs{...}" is a report, "@rungsfoo" is ordinary output.
  std::string_view head = prefix_;
  while (!head.empty() && is_space(head.back())) {
    head.remove_suffix(1);
  }
  if (line.substr(0, head.size()) != head) {
    return std::monostate{};
  }
  std::string_view body = line.substr(head.size());
  if (!body.empty() && !is_space(body.front()) && body.front() != '{') {
    return std::monostate{};
  }
  while (!body.empty() && is_space(body.front())) {
    body.remove_prefix(1);
  }
  if (body.empty()) {
    return ParseError{fmt::format("empty report after '{}'", head)};
  }

  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::string error;
    try {
      parsed = nlohmann::json::parse(quote_nonfinite_tokens(body));
    } catch (const nlohmann::json::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      return ParseError{fmt::format("bad JSON in report \"{}\": {}", excerpt(line), error)};
    }
  }
  if (!parsed.is_object()) {
    return ParseError{
        fmt::format("report \"{}\" is not a JSON object ({})", excerpt(line), parsed.type_name())};
  }

  Report report;
  for (const auto& [name, value] : parsed.items()) {
    if (auto number = number_from_json(value)) {
      report.metrics[name] = *number;
    } else if (name == "step" || name == "epoch") {
      return ParseError{
          fmt::format("report \"{}\": '{}' must be an integer", excerpt(line), name)};
    }
  }
  if (auto error = take_step(report)) {
    return ParseError{fmt::format("report \"{}\": {}", excerpt(line), *error)};
  }
  return report;
}

ParseResult ReportParser::parse_regex(std::string_view line) const {
  if (line.size() > max_regex_line) {
    return ParseError{fmt::format("line of {} characters is too long to scan for metrics: \"{}\"",
                                  line.size(), excerpt(line))};
  }
  Report report;
  using Iterator = std::regex_iterator<std::string_view::const_iterator>;
  for (Iterator it(line.begin(), line.end(), *pattern_), end; it != end; ++it) {
    const auto& match = *it;
    if (!match[1].matched || !match[2].matched || match[1].length() == 0 ||
        match[2].length() == 0) {
      continue;
    }
    std::string name = match[1].str();
    std::string_view text(&*match[2].first, static_cast<std::size_t>(match[2].length()));
    if (text.front() == '+') {
      text.remove_prefix(1);  // from_chars takes no '+'
    }
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      continue;  // not entirely a number, e.g. version=1.2.3 with a user pattern
    }
    report.metrics[std::move(name)] = value;
  }
  if (report.metrics.empty()) {
    return std::monostate{};
  }
  if (auto error = take_step(report)) {
    return ParseError{fmt::format("metric line \"{}\": {}", excerpt(line), *error)};
  }
  return report;
}

}  // namespace rungs::runners
