#pragma once
// A configuration error a user can fix: names the file, line, column and key path.
// Printed as "campaign.yaml:12:5: space.lr.low: must be below high (got 1 >= 0.1)".
#include <stdexcept>
#include <string>

namespace rungs::campaign {

struct Location {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

class ConfigError : public std::runtime_error {
 public:
  ConfigError(Location where, std::string key_path, std::string message);
  const Location& where() const { return where_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& message() const { return message_; }

 private:
  Location where_;
  std::string key_path_;
  std::string message_;
};

}  // namespace rungs::campaign
