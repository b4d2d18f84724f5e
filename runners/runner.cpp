#include "runners/runner.hpp"

#include <cmath>
#include <csignal>

#include <fmt/format.h>

namespace rungs::runners {

namespace {

// The usual names, so logs say SIGKILL rather than "Killed" (strsignal) or a bare number.
std::string signal_name(int sig) {
  switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    default: return fmt::format("signal {}", sig);
  }
}

}  // namespace

bool succeeded(const ExitStatus& status) {
  return status.kind == ExitStatus::Kind::Exited && status.code == 0 && !status.stopped &&
         !status.timed_out && !status.stale;
}

std::string describe(const ExitStatus& status) {
  const double seconds = static_cast<double>(status.duration.count()) / 1000.0;
  std::string text;
  switch (status.kind) {
    case ExitStatus::Kind::Exited:
      text = fmt::format("exited with code {}", status.code);
      break;
    case ExitStatus::Kind::Signaled:
      text = fmt::format("killed by {}", signal_name(status.signal));
      break;
    case ExitStatus::Kind::LaunchFailed:
      return fmt::format("failed to launch: {}", status.error);
    case ExitStatus::Kind::Unknown:
      text = fmt::format("ended with unknown status: {}", status.error);
      break;
  }
  if (status.stale) {
    // The silence first: it is the reason, the signal only how the trial took the stop.
    // Tenths of a second, without a trailing ".0": the limit as the user wrote it, not the
    // timer's few milliseconds of latency.
    const double silent =
        std::round(static_cast<double>(status.silent_for.count()) / 100.0) / 10.0;
    text = fmt::format("stopped after {:g} s without output (heartbeat), {}", silent, text);
  } else if (status.timed_out) {
    text += " after timeout";
  } else if (status.stopped) {
    text += " after stop request";
  }
  return fmt::format("{} ({:.1f} s)", text, seconds);
}

}  // namespace rungs::runners
