#pragma once
// The stdout report protocol: which output lines of a trial are learning-curve reports.
//
// Default, a tagged JSON line: the fixed prefix `@rungs ` and a JSON object,
//   @rungs {"step": 3, "val_loss": 0.41, "val_acc": 0.88}
// Numbers become metrics; `null` and the strings "nan", "inf", "-inf" (any case, also
// "infinity") become NaN / +-inf, so a diverged run counts as the worst result downstream
// instead of vanishing. The bare tokens NaN, Infinity, -Infinity that Python's json.dumps
// writes (invalid JSON) are accepted too. Other fields (strings, booleans, arrays, objects)
// are ignored, so a report may carry extra context.
//
// Alternative, a user regex (ECMAScript) for scripts that only print `epoch=3 loss=0.3`:
// capture group 1 is a metric name, group 2 its value; it is applied repeatedly to the line
// and a line with at least one match is a report. A value that is not entirely a number
// (`version=1.2.3`) is skipped.
//
// In both modes the step comes from the metric `step`, else `epoch` (which is then not a
// metric); it must be an integral number. Lines that are not reports are ordinary output.
// A line that is meant as a report but cannot be read gives a ParseError: the caller logs
// it and carries on (never fatal).
#include <cstdint>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <variant>

namespace rungs::runners {

struct Report {
  std::optional<std::int64_t> step;
  std::map<std::string, double> metrics;
};

struct ParseError {
  std::string message;  // what was wrong, quoting (the start of) the line
};

// monostate: not a report (ordinary output).
using ParseResult = std::variant<std::monostate, Report, ParseError>;

inline constexpr std::string_view default_report_prefix = "@rungs ";

// For `name=value` output: names start with a letter or '_' and may contain '.' and '-';
// values are decimal numbers (exponent allowed), nan or inf, signed or not.
inline constexpr std::string_view default_metric_regex =
    R"(([A-Za-z_][\w.\-]*)\s*=\s*([-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|[nN]a[nN]|[iI]nf(?:inity)?))(?![\w.]))";

class ReportParser {
 public:
  // Tagged JSON lines with the default prefix.
  ReportParser() : ReportParser(std::string(default_report_prefix), std::nullopt) {}

  // Tagged JSON lines with another prefix. Throws std::invalid_argument for a blank prefix.
  static ReportParser tagged_json(std::string prefix = std::string(default_report_prefix));
  // name/value matches of `pattern`, which needs at least two capture groups (the first two
  // are used). Throws std::invalid_argument for a bad pattern, with the regex error.
  static ReportParser regex(const std::string& pattern = std::string(default_metric_regex));

  ParseResult parse(std::string_view line) const;

 private:
  ReportParser(std::string prefix, std::optional<std::regex> pattern)
      : prefix_(std::move(prefix)), pattern_(std::move(pattern)) {}

  ParseResult parse_json(std::string_view line) const;
  ParseResult parse_regex(std::string_view line) const;

  std::string prefix_;
  std::optional<std::regex> pattern_;
};

}  // namespace rungs::runners
