#pragma once
// The one exception the search space throws: a space definition or a configuration that
// breaks a rule. It names the parameter and the field at fault so that a front end (the YAML
// reader, a JSON API) can point at the exact place the user wrote, e.g. campaign/yaml_space.cpp
// turns parameter "momentum", field "when.optimizer" into "campaign.yaml:5:42:
// space.momentum.when.optimizer: ...".
#include <stdexcept>
#include <string>

namespace rungs::space {

class SpaceError : public std::invalid_argument {
 public:
  // `parameter`: the parameter at fault, empty when the error concerns the whole space or an
  // encoded vector. `field`: a path inside that parameter's definition in the YAML spelling:
  // "low", "high", "choices[2]", "when", "when.optimizer"; empty for the parameter itself or
  // for its value in a configuration.
  SpaceError(std::string parameter, std::string field, std::string message);

  const std::string& parameter() const { return parameter_; }
  const std::string& field() const { return field_; }
  // The problem alone, without the "parameter.field: " prefix that what() carries.
  const std::string& message() const { return message_; }

 private:
  std::string parameter_;
  std::string field_;
  std::string message_;
};

}  // namespace rungs::space
