#pragma once
// What a campaign's `optimizer:` section says, as plain data (campaign/yaml_optimizer.hpp
// reads it; campaign/factory.hpp builds the optimizer from it).
#include <string>

#include "optimizers/gp/gp_settings.hpp"
#include "optimizers/tpe/tpe_settings.hpp"

namespace rungs::campaign {

struct OptimizerSpec {
  std::string type = "random";  // random | tpe | gp
  optimizers::TpeSettings tpe;
  optimizers::GpSettings gp;
};

}  // namespace rungs::campaign
