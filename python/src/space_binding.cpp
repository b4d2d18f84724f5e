// rungs.Space: a search space from a dict with the keys of a campaign file's `space:`
// section, or from a YAML file, read by the campaign's own reader (campaign/study_spec.hpp).
#include <pybind11/stl.h>

#include <random>

#include "bindings.hpp"
#include "campaign/study_spec.hpp"
#include "space_binding.hpp"

namespace rungs::python {

namespace {

py::object value_to_python(const space::Value& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

// One parameter as the dict a user writes: type, low, high, log, choices, when.
py::dict parameter_dict(const space::Parameter& parameter) {
  py::dict out;
  out["type"] = space::type_name(parameter.domain);
  std::visit(
      [&out](const auto& domain) {
        using Domain = std::decay_t<decltype(domain)>;
        if constexpr (std::is_same_v<Domain, space::CategoricalDomain>) {
          out["choices"] = domain.choices;
        } else {
          out["low"] = domain.low;
          out["high"] = domain.high;
          if (domain.scale == space::Scale::log) out["log"] = true;
        }
      },
      parameter.domain);
  if (!parameter.condition.empty()) {
    py::dict when;
    for (const auto& clause : parameter.condition) {
      py::list values;
      for (const auto& value : clause.values) values.append(value_to_python(value));
      when[py::str(clause.parent)] = values.size() == 1 ? py::object(values[0]) : py::object(values);
    }
    out["when"] = when;
  }
  return out;
}

}  // namespace

py::dict config_to_python(const space::Config& config) {
  py::dict out;
  for (const auto& [name, value] : config) out[py::str(name)] = value_to_python(value);
  return out;
}

space::SearchSpace space_from_python(const py::handle& spec) {
  if (py::isinstance<Space>(spec)) return spec.cast<const Space&>().space;
  if (!py::isinstance<py::dict>(spec))
    throw py::type_error("a search space is a rungs.Space or a dict of parameters, e.g. "
                         "{'lr': {'type': 'float', 'low': 1e-4, 'high': 1, 'log': True}}");
  py::dict document;
  document["space"] = spec;
  try {
    return campaign::parse_study(to_json_text(document), "<space>").space;
  } catch (const campaign::ConfigError& e) {
    throw without_location(e);
  }
}

void bind_space(py::module_& m) {
  py::class_<Space>(m, "Space", R"(A search space: parameters, some conditional on others.

Space({"optimizer": {"type": "categorical", "choices": ["sgd", "adam"]},
       "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
       "momentum": {"type": "float", "low": 0.0, "high": 0.99, "when": {"optimizer": "sgd"}}})
takes the keys of a campaign file's `space:` section (type, low, high, log, choices, when);
Space.from_yaml(path) reads a campaign file's `space:` (or a file that is only a space).)")
      .def(py::init([](const py::dict& spec) { return Space{space_from_python(spec)}; }), py::arg("parameters"))
      .def_static(
          "from_yaml", [](const std::string& path) { return Space{campaign::load_space(path)}; }, py::arg("path"),
          "The space of a campaign file (its `space:` section), or of a YAML file that is a space section.")
      .def_property_readonly("names",
                             [](const Space& self) {
                               std::vector<std::string> names;
                               for (const auto& p : self.space.parameters()) names.push_back(p.name);
                               return names;
                             })
      .def("__len__", [](const Space& self) { return self.space.dimension(); })
      .def(
          "to_dict",
          [](const Space& self) {
            py::dict out;
            for (const auto& p : self.space.parameters()) out[py::str(p.name)] = parameter_dict(p);
            return out;
          },
          "The parameters as the dict Space() takes (file order).")
      .def(
          "sample",
          [](const Space& self, std::uint64_t seed) {
            std::mt19937_64 rng(seed);
            return config_to_python(self.space.sample(rng));
          },
          py::arg("seed") = 0, "A random configuration: only the active parameters are set.")
      .def(
          "validate", [](const Space& self, const py::dict& config) { config_from_python(self.space, config); },
          py::arg("config"), "Raises ValueError naming the first parameter at fault.")
      .def(
          "is_active",
          [](const Space& self, const std::string& name, const py::dict& config) {
            const auto* parameter = self.space.find(name);
            if (!parameter) throw py::key_error("no parameter named '" + name + "'");
            space::Config values;
            for (const auto& [key, item] : config) {
              const auto key_name = py::cast<std::string>(key);
              if (const auto* p = self.space.find(key_name)) {
                space::Value value = py::isinstance<py::str>(item)     ? space::Value(item.cast<std::string>())
                                     : py::isinstance<py::float_>(item) ? space::Value(item.cast<double>())
                                                                        : space::Value(item.cast<std::int64_t>());
                if (auto converted = space::coerce(p->domain, value)) values[key_name] = *converted;
              }
            }
            return self.space.is_active(*parameter, values);
          },
          py::arg("name"), py::arg("config"), "Whether the parameter's condition holds in `config`.")
      .def("__repr__", [](const Space& self) {
        std::string text = "rungs.Space(";
        for (const auto& p : self.space.parameters()) {
          text += (text.back() == '(' ? "" : ", ") + p.name + ": " + space::describe(p.domain);
          if (p.is_conditional()) text += " when " + self.space.describe_condition(p);
        }
        return text + ")";
      });
}

}  // namespace rungs::python
