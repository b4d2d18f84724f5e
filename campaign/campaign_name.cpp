#include "campaign/campaign_name.hpp"

#include <fmt/format.h>

#include <cctype>

namespace rungs::campaign {

namespace {

constexpr std::size_t kLongest = 100;

bool safe_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

}  // namespace

std::optional<std::string> campaign_name_problem(const std::string& name) {
  constexpr const char* rule = "a campaign name is one directory name: letters, digits, '.', '_' and '-', "
                               "starting with a letter or a digit";
  if (name.empty()) return fmt::format("must not be empty ({})", rule);
  if (name.size() > kLongest) return fmt::format("is {} characters long; at most {}", name.size(), kLongest);
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return fmt::format("must start with a letter or a digit ({})", rule);
  for (const char c : name)
    if (!safe_char(c)) return std::string(rule);
  return std::nullopt;
}

std::string safe_campaign_name(const std::string& stem) {
  std::string name;
  for (const char c : stem.substr(0, kLongest)) name += safe_char(c) ? c : '_';
  if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) name = "c" + name;
  return name.substr(0, kLongest);
}

}  // namespace rungs::campaign
