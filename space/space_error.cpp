#include "space/space_error.hpp"

namespace rungs::space {

namespace {
std::string render(const std::string& parameter, const std::string& field,
                   const std::string& message) {
  std::string where = parameter;
  if (!field.empty()) where += (where.empty() ? "" : ".") + field;
  return where.empty() ? message : where + ": " + message;
}
}  // namespace

SpaceError::SpaceError(std::string parameter, std::string field, std::string message)
    : std::invalid_argument(render(parameter, field, message)),
      parameter_(std::move(parameter)),
      field_(std::move(field)),
      message_(std::move(message)) {}

}  // namespace rungs::space
