#include "campaign/config_error.hpp"

#include <fmt/format.h>

namespace rungs::campaign {

namespace {
std::string render(const Location& where, const std::string& key_path,
                   const std::string& message) {
  std::string text = where.file;
  if (where.line > 0) text += fmt::format(":{}:{}", where.line, where.column);
  if (!key_path.empty()) text += (text.empty() ? "" : ": ") + key_path;
  return text.empty() ? message : text + ": " + message;
}
}  // namespace

ConfigError::ConfigError(Location where, std::string key_path, std::string message)
    : std::runtime_error(render(where, key_path, message)),
      where_(std::move(where)),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

}  // namespace rungs::campaign
