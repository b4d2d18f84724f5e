#pragma once
// Finding the program a trial command names, the way a shell would but without one, plus
// the campaign's own binary directories (so `command: [quickstart-trainer]` works from a
// build tree). Kept apart from the runner so the campaign can validate commands up front.
#include <filesystem>
#include <string>
#include <vector>

namespace rungs::runners {

// A name containing '/' is returned unchanged (a relative one is relative to the trial's
// working directory, which only the caller knows). Otherwise the first executable regular
// file called `name` in $PATH, then in `extra_dirs`, as an absolute path. Empty and relative
// $PATH entries are skipped: a trial must not pick up a program from whatever directory
// rungs happens to run in.
// Throws std::runtime_error naming the program and where it looked (and any candidate that
// exists but is not executable) when nothing fits, std::invalid_argument for an empty name.
std::filesystem::path resolve_program(const std::string& name,
                                      const std::vector<std::filesystem::path>& extra_dirs);

}  // namespace rungs::runners
