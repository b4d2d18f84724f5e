// The extension module `rungs._rungs`: the C++ side of the Python package `rungs`
// (python/rungs/__init__.py re-exports it with the pure-Python parts).
#include <pybind11/pybind11.h>

#include "bindings.hpp"

namespace rungs::python {

std::string to_json_text(py::handle value) {
  // Never destroyed: a static Python object would be released after the interpreter ended.
  static const auto* plain = new py::cpp_function([](py::handle object) -> py::object {
    if (py::hasattr(object, "tolist")) return object.attr("tolist")();  // NumPy arrays and scalars
    if (py::hasattr(object, "item")) return object.attr("item")();
    throw py::type_error("a value of type " + py::str(py::type::handle_of(object).attr("__name__")).cast<std::string>() +
                         " cannot be a setting (use numbers, strings, booleans, lists and dicts)");
  });
  const auto dumps = py::module_::import("json").attr("dumps");
  return dumps(value, py::arg("default") = *plain, py::arg("allow_nan") = true).cast<std::string>();
}

py::object from_json_text(const std::string& text) {
  return py::module_::import("json").attr("loads")(py::str(text));
}

campaign::ConfigError without_location(const campaign::ConfigError& error) {
  return campaign::ConfigError({}, error.key_path(), error.message());
}

space::Config config_from_python(const space::SearchSpace& space, const py::dict& values) {
  space::Config config;
  for (const auto& [key, item] : values) {
    const auto name = py::cast<std::string>(key);
    space::Value value;
    if (py::isinstance<py::bool_>(item)) value = std::string(item.cast<bool>() ? "true" : "false");
    else if (py::isinstance<py::int_>(item)) value = item.cast<std::int64_t>();
    else if (py::isinstance<py::float_>(item) || py::hasattr(item, "__float__")) value = item.cast<double>();
    else value = py::str(item).cast<std::string>();
    if (const auto* parameter = space.find(name))
      if (auto converted = space::coerce(parameter->domain, value)) value = std::move(*converted);
    config[name] = std::move(value);
  }
  space.validate(config);
  return config;
}

}  // namespace rungs::python

PYBIND11_MODULE(_rungs, m) {
  namespace py = pybind11;
  m.doc() = "rungs: multi-fidelity hyperparameter optimization (C++ core)";

  // rungs.ConfigError: a ValueError whose text is the CLI's ("campaign.yaml:12:25:
  // space.momentum.when.optimizer: ..."), with the parts as attributes.
  // Never destroyed, like the module (a static would be released after the interpreter ended).
  static const auto* config_error = new py::exception<rungs::campaign::ConfigError>(m, "ConfigError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const rungs::campaign::ConfigError& e) {
      py::object error = py::handle(config_error->ptr())(e.what());  // an instance, to carry the parts
      error.attr("file") = e.where().file;
      error.attr("line") = e.where().line;
      error.attr("column") = e.where().column;
      error.attr("key_path") = e.key_path();
      error.attr("message") = e.message();
      PyErr_SetObject(config_error->ptr(), error.ptr());
    }
  });

  rungs::python::bind_space(m);
  rungs::python::bind_study(m);
  rungs::python::bind_campaign(m);
  rungs::python::bind_problems(m);
}
