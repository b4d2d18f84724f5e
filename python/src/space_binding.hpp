#pragma once
// The Python-side search space (rungs.Space) and the conversions other bindings share.
#include <pybind11/pybind11.h>

#include "space/search_space.hpp"

namespace rungs::python {

namespace py = pybind11;

struct Space {
  space::SearchSpace space;
};

// A dict of parameters (the keys of a campaign file's `space:`) or a rungs.Space; throws
// rungs.ConfigError (ValueError) naming the key at fault, TypeError for anything else.
space::SearchSpace space_from_python(const py::handle& spec);
// A configuration as a dict of name -> int, float or str.
py::dict config_to_python(const space::Config& config);

}  // namespace rungs::python
