#pragma once
// Shared by the binding files of the Python module `_rungs` (python/src/*.cpp): how Python
// values become the JSON documents the campaign readers take, and how a ConfigError reaches
// Python (rungs.ConfigError, a ValueError carrying the CLI's message).
#include <pybind11/pybind11.h>

#include <string>

#include "campaign/config_error.hpp"
#include "space/search_space.hpp"

namespace rungs::python {

namespace py = pybind11;

// json.dumps(value) with NumPy scalars and arrays as plain numbers and lists; a value JSON
// cannot hold raises TypeError naming its type. Python's dict order is kept (the file order
// of a campaign file, the encoding order of a space).
std::string to_json_text(py::handle value);
// json.loads(text).
py::object from_json_text(const std::string& text);

// A ConfigError about a document the module wrote from dicts: its line and column point into
// that generated text, so only the key path and the message are kept
// ("space.lr.low: must be below high (got 1 >= 0.1)").
campaign::ConfigError without_location(const campaign::ConfigError& error);

// A configuration from Python (a dict of name -> int, float or str) for `space`: each value
// converted to its parameter's type as campaign files and JSON are (space::coerce: 1 for a
// float parameter is 1.0), then validated. Throws space::SpaceError (ValueError).
space::Config config_from_python(const space::SearchSpace& space, const py::dict& values);

// The Python-side classes, one registration function per file.
void bind_space(py::module_& m);
void bind_study(py::module_& m);
void bind_campaign(py::module_& m);
void bind_problems(py::module_& m);

}  // namespace rungs::python
