#pragma once
// What happens in a trial's child process between fork and exec, as a Boost.Process v2
// initializer; and how a failure there is told to the parent.
//
// Used by CommandCall (sbatch, squeue...: runners/command_call.hpp), whose children must die
// with rungs; a run's supervisor, which must not, starts through posix_spawn instead
// (supervised_launch.cpp). The caller fills a ChildSetup with descriptors and C arrays it owns
// (they must outlive the launcher call) and passes it to bp::posix::default_launcher.
// In the child, on_exec_setup() makes the child lead its own process group, ties it to the
// parent's death (PR_SET_PDEATHSIG), resets signal dispositions and mask, sets stdin/stdout/
// stderr, changes directory, closes every other descriptor and execs. On any failure it writes
// (step << 16) | errno to the launcher's error pipe and _exit(127)s; the parent turns that code
// into a message with child_failure().
//
// Why it execs by itself: Boost 1.81's default_launcher (a) leaves descriptors below its error
// pipe open in the child (close_all's gap loop compares an fd with itself) and (b) calls exit()
// after a failed exec, running rungs' atexit handlers and static destructors in the child.
// Only async-signal-safe calls happen in the child.
#include <sys/types.h>

#include <string>

#include "runners/boost_process.hpp"

namespace rungs::runners {

struct ChildSetup {
  pid_t parent_pid;           // getppid() must still say this after PR_SET_PDEATHSIG
  const char* const* argv;    // as execve wants them: argv[0] as the user wrote it
  const char* const* envp;
  const char* working_dir;    // nullptr: stay
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;              // -1: inherit
  // Descriptors the child keeps at these numbers (dup2'ed there, must be > 2 and distinct);
  // -1 entries are unused. Everything else but 0/1/2 is closed before exec.
  int extra_fds[2][2] = {{-1, -1}, {-1, -1}};  // {from, to}
  // PR_SET_PDEATHSIG: the child gets this when the thread that forked it dies; 0: none (a
  // run's supervisor must outlive rungs to end the run, it watches its control pipe instead).
  int parent_death_signal = 9;  // SIGKILL

  boost::process::v2::error_code on_exec_setup(boost::process::v2::posix::default_launcher& launcher,
                                               const boost::process::v2::filesystem::path& executable,
                                               const char* const* cmd_line) const;
};

// The message for a failure code the child sent through the launcher's error pipe.
// `program` is argv[0] as given, `working_dir` the directory the child tried to enter.
std::string child_failure(int code, const std::string& program, const std::string& working_dir);

std::string errno_text(int err);

}  // namespace rungs::runners
