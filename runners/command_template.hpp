#pragma once
// Trial command templates: the argv list a campaign YAML gives, with `{name}` placeholders
// for parameters, budget dimensions and paths ({lr}, {epochs}, {trial_dir}, ...).
//
// Syntax, per argv element:
//   {name}   replaced by the value of `name`; may be the whole element or part of it
//            (`--lr={lr}`, `{trial_dir}/ckpt`). Names: letters, digits, '_', '.', '-'.
//   {{  }}   a literal '{' / '}' (so JSON in an argument is written `{{"a": 1}}`).
// Anything else with a brace (`{lr`, `a}b`, `{}`, `{two words}`) is a template error.
//
// Values are inserted verbatim and every element stays exactly one argv element: no shell
// ever sees them, so `; rm -rf /tmp/x` is a harmless literal string.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rungs::runners {

// The placeholder names used, each once, in order of first appearance; for validating a
// campaign's command against its parameters before anything runs.
// Throws std::invalid_argument (quoting the element) on a malformed template.
std::vector<std::string> placeholders_of(const std::vector<std::string>& argv_template);

// Substitutes `values` into the template. An element that mentions a placeholder listed in
// `absent` (an inactive conditional parameter) is dropped entirely, so write such options
// as one element (`--momentum={momentum}`, not `--momentum` `{momentum}`). `absent` wins
// over `values`.
// Throws std::invalid_argument naming a placeholder found in neither, or on a malformed
// template.
std::vector<std::string> expand(const std::vector<std::string>& argv_template,
                                const std::map<std::string, std::string>& values,
                                const std::set<std::string>& absent = {});

}  // namespace rungs::runners
