// bench-slurm-overhead: what the Slurm runner costs with hundreds of jobs in the queue.
//
// One SlurmRunner (runners/slurm_runner.hpp) launches --jobs runs at once (no max_concurrent
// of its own: all are queued), each the fake trial program printing --reports report lines
// --sleep-ms apart, and follows them to their end. The cluster is whatever SLURM_CONF names
// (the one-node test cluster: RUNGS_SLURM_CPUS=8 bash scripts/slurm_cluster.sh start DIR), so
// most jobs wait PENDING while 8 run. It prints:
//   wall             launch of the first job to the end of the last one
//   submitted after  when every sbatch had answered (the queue was full)
//   sbatch, squeue   calls made (SlurmRunner::sbatch_calls / squeue_calls) and squeue per minute
//   rungs CPU        getrusage(RUSAGE_SELF) user+sys of this process (the sbatch/squeue child
//                    processes excluded: RUSAGE_CHILDREN, printed apart), total and per job
//   peak RSS         ru_maxrss
//   lines            report lines delivered (should be jobs x reports)
//
//   build/bin/bench-slurm-overhead [--jobs 500] [--reports 2] [--sleep-ms 1000] [--poll-ms 5000]
//                                  [--work-dir DIR]  (default: beside SLURM_CONF)
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "runners/slurm_run_record.hpp"
#include "runners/slurm_runner.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }

fs::path own_directory() { return fs::read_symlink("/proc/self/exe").parent_path(); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Slurm runner overhead with many jobs in the queue"};
  std::size_t jobs = 500, reports = 2;
  int sleep_ms = 1000, poll_ms = 5000;
  std::string work_dir;
  app.add_option("--jobs", jobs, "Runs launched at once");
  app.add_option("--reports", reports, "Report lines per trial");
  app.add_option("--sleep-ms", sleep_ms, "Sleep after each report line");
  app.add_option("--poll-ms", poll_ms, "squeue interval (runner: poll)");
  app.add_option("--work-dir", work_dir, "Where the trials' files go (a fresh subfolder; shared with the cluster)");
  CLI11_PARSE(app, argc, argv);

  const char* conf = std::getenv("SLURM_CONF");
  if (work_dir.empty()) {
    if (conf == nullptr) {
      fmt::print(stderr, "SLURM_CONF is not set: start a cluster (scripts/slurm_cluster.sh) and source its env.sh\n");
      return 2;
    }
    work_dir = (fs::path(conf).parent_path() / "work").string();
  }
  const auto dir = fs::path(work_dir) / fmt::format("bench-slurm-{}", ::getpid());
  fs::create_directories(dir);
  const auto trial_program = own_directory() / "fake_trial";
  if (!fs::exists(trial_program)) {
    fmt::print(stderr, "{} is missing: cmake --build build --target fake_trial\n", trial_program.string());
    return 2;
  }

  boost::asio::io_context io;
  rungs::runners::SlurmRunnerOptions options;
  options.program_dirs = {own_directory()};
  options.job_script = dir / "slurm-job.sh";
  options.poll = std::chrono::milliseconds(poll_ms);
  std::size_t warnings = 0;
  options.on_warning = [&](const std::string& text) {
    if (++warnings <= 5) fmt::print(stderr, "warning: {}\n", text);
  };
  rungs::runners::SlurmRunner runner(io, options);

  std::size_t lines = 0, ended = 0, failed = 0;
  std::optional<Clock::time_point> all_submitted;
  const auto started = Clock::now();
  for (std::size_t i = 0; i < jobs; ++i) {
    rungs::runners::LaunchSpec spec;
    spec.argv = {trial_program.string(), "report", std::to_string(reports), "--sleep-ms", std::to_string(sleep_ms)};
    spec.working_dir = dir;
    spec.stdout_path = dir / fmt::format("run-{}.out", i);
    spec.stderr_path = dir / fmt::format("run-{}.err", i);
    spec.process_record = dir / fmt::format("run-{}.record", i);
    spec.name = fmt::format("bench-{}", i);
    spec.resources = {"--time=30"};
    rungs::runners::RunCallbacks callbacks;
    callbacks.on_line = [&](std::string_view) { ++lines; };
    callbacks.on_exit = [&](const rungs::runners::ExitStatus& status) {
      ++ended;
      if (!rungs::runners::succeeded(status) && ++failed <= 5)
        fmt::print(stderr, "run failed: {}\n", rungs::runners::describe(status));
    };
    runner.launch(std::move(spec), std::move(callbacks));
  }
  // The queue is full once every run has its job id in its record: checked each second.
  boost::asio::steady_timer check(io);
  std::function<void()> watch = [&] {
    if (!all_submitted && runner.sbatch_calls() >= jobs) {
      std::size_t with_job = 0;
      for (std::size_t i = 0; i < jobs; ++i) {
        const auto record = rungs::runners::read_slurm_record(dir / fmt::format("run-{}.record", i));
        with_job += record && !record->jobs.empty();
      }
      if (with_job == jobs) all_submitted = Clock::now();
    }
    if (ended < jobs) {
      check.expires_after(std::chrono::seconds(1));
      check.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) watch();
      });
    }
  };
  watch();
  io.run();
  const double wall = std::chrono::duration<double>(Clock::now() - started).count();

  rusage self{}, children{};
  ::getrusage(RUSAGE_SELF, &self);
  ::getrusage(RUSAGE_CHILDREN, &children);
  const double cpu = seconds(self.ru_utime) + seconds(self.ru_stime);
  const double child_cpu = seconds(children.ru_utime) + seconds(children.ru_stime);
  fmt::print("jobs {} ({} failed), report lines {} of {}\n", jobs, failed, lines, jobs * reports);
  fmt::print("wall {:.1f} s; every job queued after {:.1f} s\n", wall,
             all_submitted ? std::chrono::duration<double>(*all_submitted - started).count() : -1.0);
  fmt::print("sbatch calls {}, squeue calls {} ({:.1f} per minute; poll {} ms)\n", runner.sbatch_calls(),
             runner.squeue_calls(), 60.0 * static_cast<double>(runner.squeue_calls()) / wall, poll_ms);
  fmt::print("rungs CPU {:.2f} s = {:.2f} ms per job; Slurm client processes' CPU {:.1f} s = {:.1f} ms per job\n", cpu,
             1000 * cpu / static_cast<double>(jobs), child_cpu, 1000 * child_cpu / static_cast<double>(jobs));
  fmt::print("peak RSS {:.1f} MiB; warnings {}\n", static_cast<double>(self.ru_maxrss) / 1024, warnings);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return failed == 0 && lines == jobs * reports ? 0 : 1;
}
