#include "runners/command_template.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace rungs::runners {

namespace {

// One element cut into literal text and placeholder names, alternating as they appear.
struct Piece {
  bool placeholder = false;
  std::string text;  // literal text (braces unescaped) or the placeholder name
};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == '-';
}

[[noreturn]] void fail(const std::string& element, std::size_t index, const std::string& why) {
  throw std::invalid_argument(
      fmt::format("command element {} \"{}\": {} (write {{{{ and }}}} for literal braces)", index,
                  element, why));
}

std::vector<Piece> parse_element(const std::string& element, std::size_t index) {
  std::vector<Piece> pieces;
  std::string literal;
  auto flush_literal = [&] {
    if (!literal.empty()) {
      pieces.push_back({false, std::move(literal)});
      literal.clear();
    }
  };
  for (std::size_t i = 0; i < element.size(); ++i) {
    const char c = element[i];
    if (c == '}') {
      if (i + 1 < element.size() && element[i + 1] == '}') {
        literal += '}';
        ++i;
        continue;
      }
      fail(element, index, fmt::format("unmatched '}}' at position {}", i));
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    if (i + 1 < element.size() && element[i + 1] == '{') {
      literal += '{';
      ++i;
      continue;
    }
    const auto close = element.find('}', i + 1);
    if (close == std::string::npos) {
      fail(element, index, fmt::format("unclosed '{{' at position {}", i));
    }
    std::string name = element.substr(i + 1, close - i - 1);
    if (name.empty()) {
      fail(element, index, "empty placeholder {}");
    }
    if (!std::all_of(name.begin(), name.end(), is_name_char)) {
      fail(element, index,
           fmt::format("bad placeholder name '{}' (letters, digits, '_', '.', '-' only)", name));
    }
    flush_literal();
    pieces.push_back({true, std::move(name)});
    i = close;
  }
  flush_literal();
  return pieces;
}

}  // namespace

std::vector<std::string> placeholders_of(const std::vector<std::string>& argv_template) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < argv_template.size(); ++i) {
    for (auto& piece : parse_element(argv_template[i], i)) {
      if (piece.placeholder && std::find(names.begin(), names.end(), piece.text) == names.end()) {
        names.push_back(std::move(piece.text));
      }
    }
  }
  return names;
}

std::vector<std::string> expand(const std::vector<std::string>& argv_template,
                                const std::map<std::string, std::string>& values,
                                const std::set<std::string>& absent) {
  std::vector<std::string> argv;
  argv.reserve(argv_template.size());
  for (std::size_t i = 0; i < argv_template.size(); ++i) {
    const auto pieces = parse_element(argv_template[i], i);
    std::string out;
    bool dropped = false;
    for (const auto& piece : pieces) {
      if (!piece.placeholder) {
        out += piece.text;
        continue;
      }
      if (absent.count(piece.text) != 0) {
        dropped = true;  // keep scanning: an unknown name later in the element is still an error
        continue;
      }
      const auto found = values.find(piece.text);
      if (found == values.end()) {
        throw std::invalid_argument(fmt::format(
            "command element {} \"{}\": unknown placeholder {{{}}}", i, argv_template[i],
            piece.text));
      }
      out += found->second;
    }
    if (!dropped) {
      argv.push_back(std::move(out));
    }
  }
  return argv;
}

}  // namespace rungs::runners
