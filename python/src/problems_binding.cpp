// rungs.problems: the synthetic problems of problems/ (Counting Ones, augmented Branin and
// Hartmann-6, with known optima), for benchmarks against other optimizers from Python.
#include <pybind11/stl.h>

#include <random>

#include "bindings.hpp"
#include "problems/registry.hpp"
#include "space_binding.hpp"

namespace rungs::python {

namespace {

struct Problem {
  const problems::Problem* problem;
};

}  // namespace

void bind_problems(py::module_& m) {
  py::class_<Problem>(m, "Problem", "A synthetic problem with a known optimum (to be minimized).")
      .def_property_readonly("name", [](const Problem& p) { return p.problem->name; })
      .def_property_readonly("description", [](const Problem& p) { return p.problem->description; })
      .def_property_readonly("space", [](const Problem& p) { return Space{p.problem->space}; })
      .def_property_readonly("optimum", [](const Problem& p) { return p.problem->optimum; })
      .def_property_readonly("full_fidelity", [](const Problem& p) { return p.problem->full_fidelity(); })
      .def(
          "evaluate",
          [](const Problem& p, const py::dict& config, std::optional<double> fidelity, std::uint64_t seed) {
            const auto values = config_from_python(p.problem->space, config);
            std::mt19937_64 rng(seed);
            return p.problem->evaluate_at(values, fidelity.value_or(p.problem->full_fidelity()), rng);
          },
          py::arg("config"), py::arg("fidelity") = py::none(), py::arg("seed") = 0,
          "The objective at a fidelity (default: full); `seed` drives the noise of stochastic problems.")
      .def(
          "true_value",
          [](const Problem& p, const py::dict& config) {
            return p.problem->true_value(config_from_python(p.problem->space, config));
          },
          py::arg("config"), "The noise-free objective at full fidelity.")
      .def(
          "regret",
          [](const Problem& p, const py::dict& config) {
            return p.problem->regret(config_from_python(p.problem->space, config));
          },
          py::arg("config"))
      .def("__repr__", [](const Problem& p) { return "rungs.Problem(" + p.problem->name + ")"; });
  m.def(
      "problem", [](const std::string& name) { return Problem{&problems::by_name(name)}; }, py::arg("name"),
      "A synthetic problem by name (rungs.problem_names()).");
  m.def("problem_names", &problems::names);
}

}  // namespace rungs::python
