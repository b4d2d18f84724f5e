#pragma once
// Everything about a launch that can be checked and prepared in the parent, before any fork:
// argv and environment validated and flattened for execve, the program resolved to a path,
// the working directory checked. A pure function of the LaunchSpec, the program directories
// and rungs' own environment, so that clear messages ("program 'x' is not executable (chmod
// +x?)") come from rungs rather than from a failed exec in the child.
//
// Called by LocalRunner::start() for every launch; an error is a trial-level problem that the
// runner reports as ExitStatus::Kind::LaunchFailed, never an exception.
#include <filesystem>
#include <string>
#include <vector>

#include "runners/runner.hpp"

namespace rungs::runners {

struct ExecPlan {
  std::filesystem::path executable;  // what execve gets; argv[0] stays as the user wrote it
  std::vector<std::string> argv;
  std::vector<std::string> env;      // "NAME=value": rungs' environment overridden by spec.env

  // NULL-terminated arrays for execve, pointing into argv / env (valid while they are not
  // modified).
  std::vector<const char*> argv_pointers() const;
  std::vector<const char*> env_pointers() const;
};

// Fills `plan` and returns an empty string, or returns why the launch cannot happen.
// A program with a '/' is a path (a relative one is checked against spec.working_dir, where
// the child will exec it); otherwise it is resolved with resolve_program(program_dirs).
std::string plan_exec(const LaunchSpec& spec, const std::vector<std::filesystem::path>& program_dirs,
                      ExecPlan& plan);

}  // namespace rungs::runners
