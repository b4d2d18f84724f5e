#include "runners/slurm_job_end.hpp"

#include <fmt/format.h>

#include <csignal>
#include <fstream>

#include "runners/slurm_commands.hpp"
#include "runners/supervised_launch.hpp"

namespace rungs::runners {

ExitStatus judge_job_end(ExitStatus status, const JobEnd& end) {
  if (end.recorded) {
    status.kind = end.recorded->kind;
    status.code = end.recorded->code;
    status.signal = end.recorded->signal;
    status.error = end.recorded->error;
  } else if (end.state.rfind("CANCELLED", 0) == 0) {
    status.kind = ExitStatus::Kind::Signaled;
    status.signal = SIGTERM;
  } else if (!end.ran && (end.reason == "JobLaunchFailure" || end.state == "BOOT_FAIL")) {
    status.kind = ExitStatus::Kind::LaunchFailed;
    status.error = fmt::format("Slurm could not start job {}: {} ({})", end.job, end.state, end.reason);
  } else {
    status.kind = ExitStatus::Kind::Unknown;
    status.error = end.state.empty()
                       ? fmt::format("job {} is no longer known to Slurm and left no exit record", end.job)
                       : fmt::format("job {} ended as {} ({}) and left no exit record", end.job, end.state, end.reason);
  }
  if (ended_by_cluster(end.state) && !status.stopped && status.error.empty())
    status.error = fmt::format("job {} ended with {} after {} resubmits", end.job, end.state, end.resubmits);
  return status;
}

std::optional<ExitStatus> recorded_end(const std::filesystem::path& record, const std::string& job) {
  std::ifstream in(record.string() + "." + job);
  std::string line, ends;
  while (std::getline(in, line))
    if (line.rfind("end ", 0) == 0) ends += line.substr(4) + "\n";
  return parse_supervisor_status(ends).end;
}

}  // namespace rungs::runners
