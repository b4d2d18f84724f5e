#include "fidelity/dimension_registry.hpp"

namespace rungs::fidelity {

DimensionRegistry& dimension_registry() {
  static DimensionRegistry registry;  // initialised on first use: safe from plugin and static init
  return registry;
}

}  // namespace rungs::fidelity
