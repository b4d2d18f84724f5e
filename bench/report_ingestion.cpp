// bench-report-ingestion: how fast the campaign loop takes in report lines, end to end.
//
// A real campaign through run_campaign + LocalRunner whose one trial is `/bin/cat FILE`, FILE
// holding --lines report lines (`@rungs {"step": i, "val_loss": ..., "train_loss": ...}`,
// about 70 bytes each): the trial prints at pipe speed, so rungs is the bottleneck. Every line
// is parsed, filtered, recorded as a report event in rungs.db (under --work-dir) and given to
// the scheduler. Measured in this process:
//   lines per second       lines / wall time of run_campaign
//   CPU per line           getrusage(RUSAGE_SELF) user+sys during run_campaign / lines
//   bytes written per line /proc/self/io write_bytes during run_campaign / lines (what the
//                          store dirtied: SQLite's WAL and database pages, the trial's files)
//   timer lateness         a probe timer on the same event loop, due 10 ms after it last fired,
//                          as any other trial's timeout or heartbeat timer would be: how late
//                          it fired past its expiry while the flood went on (largest, and how
//                          many times more than 100 ms late)
//   waiting for a CPU      /proc/thread-self/schedstat of the loop's thread: how long it was
//                          runnable but not running (other processes had the cores), to tell
//                          a busy machine's share of the lateness from rungs' own
// It also checks that every line reached the store as a report event.
//
// --disk-contention: meanwhile a child process keeps the campaign's disk busy, writing 1 MiB
// blocks with O_DIRECT (as `dd oflag=direct` does) over a 1 GiB file next to the campaign,
// with an fdatasync every 64 MiB; SQLite's syncs then wait behind its writes.
//
//   build/bin/bench-report-ingestion [--lines 200000] [--work-dir DIR] [--repeat 3] [--disk-contention]
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "runners/local_runner.hpp"
#include "store/store.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using Clock = std::chrono::steady_clock;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Seconds the calling thread spent runnable, waiting for a core (schedstat's second field).
double runqueue_seconds() {
  std::ifstream stat("/proc/thread-self/schedstat");
  double on_cpu = 0, waiting = 0;
  stat >> on_cpu >> waiting;
  return waiting / 1e9;
}

// Bytes this process caused to be written to storage (pages it dirtied), from /proc/self/io.
double bytes_written() {
  std::ifstream io("/proc/self/io");
  std::string key;
  double value = 0;
  while (io >> key >> value)
    if (key == "write_bytes:") return value;
  return 0;
}

std::string campaign_yaml(const fs::path& reports) {
  return fmt::format(R"(name: ingestion
metric: {{name: val_loss, mode: min}}
space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
budget: {{min: 1, max: 1, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: 1}}}}}}
scheduler: {{type: hyperband, eta: 3, max_concurrent: 1, iterations: 1}}
optimizer: random
trial:
  command: [/bin/cat, "{}"]
)",
                     reports.string());
}

struct Result {
  double wall = 0, cpu = 0, bytes = 0, lateness_ms = 0, waiting = 0;
  std::size_t late_over_100ms = 0, probes = 0;
  std::size_t recorded = 0;
  std::uint64_t checkpoints = 0;
};

// A child process that writes to `file` until it is killed (or this process dies).
class DiskContention {
 public:
  explicit DiskContention(const fs::path& file) {
    pid_ = ::fork();
    if (pid_ != 0) return;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_DIRECT, 0600);
    if (fd < 0) fd = ::open(file.c_str(), O_WRONLY | O_CREAT, 0600);  // no O_DIRECT (tmpfs)
    if (fd < 0) ::_exit(1);
    constexpr std::size_t kBlock = 1 << 20;
    void* block = nullptr;
    if (::posix_memalign(&block, 4096, kBlock) != 0) ::_exit(1);
    std::memset(block, 0x5a, kBlock);
    for (std::size_t i = 0;; ++i) {
      if (::pwrite(fd, block, kBlock, static_cast<off_t>((i % 1024) * kBlock)) < 0) ::_exit(1);
      if (i % 64 == 63) ::fdatasync(fd);
    }
  }
  ~DiskContention() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  DiskContention(const DiskContention&) = delete;
  DiskContention& operator=(const DiskContention&) = delete;

 private:
  pid_t pid_ = -1;
};

Result run_once(const fs::path& work, const fs::path& reports, std::size_t lines, int round) {
  const auto spec = campaign::parse_campaign(campaign_yaml(reports), "ingestion.yaml", work);
  const auto output = work / fmt::format("campaign-{}", round);
  auto scheduler = campaign::make_scheduler(spec);
  boost::asio::io_context io;
  runners::LocalRunner runner(io);
  campaign::LoopOptions options;
  options.output = output;
  options.handle_signals = false;
  auto store = campaign::create_campaign_directory(spec, output, "run", nlohmann::json::object());

  // A probe timer: how late would another trial's timeout fire while this one floods?
  boost::asio::steady_timer probe(io);
  double lateness = 0;
  std::size_t late = 0, probes = 0;
  bool done = false;
  std::function<void(Clock::time_point)> arm = [&](Clock::time_point due) {
    probe.expires_at(due);
    probe.async_wait([&, due](const boost::system::error_code& ec) {
      if (ec || done) return;
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
      lateness = std::max(lateness, ms);
      late += ms > 100;
      ++probes;
      arm(Clock::now() + std::chrono::milliseconds(10));
    });
  };
  arm(Clock::now() + std::chrono::milliseconds(10));

  Result result;
  const double cpu0 = cpu_seconds(), bytes0 = bytes_written(), waiting0 = runqueue_seconds();
  const auto start = Clock::now();
  // run_campaign returns once the campaign is over; the probe keeps the loop busy meanwhile,
  // so it is cancelled from a check that runs with it.
  boost::asio::steady_timer watch(io);
  std::function<void()> check = [&] {
    watch.expires_after(std::chrono::milliseconds(5));
    watch.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      if (runner.running() == 0 && store.uncommitted() == 0 && Clock::now() - start > std::chrono::milliseconds(50)) {
        done = true;
        probe.cancel();
        return;
      }
      check();
    });
  };
  check();
  campaign::run_campaign(spec, *scheduler, runner, io, store, options);
  result.wall = std::chrono::duration<double>(Clock::now() - start).count();
  result.cpu = cpu_seconds() - cpu0;
  result.waiting = runqueue_seconds() - waiting0;
  result.checkpoints = store.checkpoints();
  result.bytes = bytes_written() - bytes0;
  result.lateness_ms = lateness;
  result.late_over_100ms = late;
  result.probes = probes;
  for (const auto& event : store.events()) result.recorded += event.kind == store::EventKind::Report;
  (void)lines;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench-report-ingestion: report lines per second through the campaign loop into rungs.db"};
  std::size_t lines = 200000;
  int repeat = 3;
  bool contention = false;
  std::string work_dir = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
  app.add_option("--lines", lines, "Report lines the trial prints");
  app.add_option("--repeat", repeat, "Rounds");
  app.add_option("--work-dir", work_dir, "Where the campaign's directory goes (its filesystem matters)");
  app.add_flag("--disk-contention", contention, "A child process keeps the disk busy meanwhile (O_DIRECT writes)");
  CLI11_PARSE(app, argc, argv);

  std::random_device entropy;
  const fs::path work = fs::path(work_dir) / fmt::format("rungs-ingestion-{}", entropy());
  fs::create_directories(work);
  const auto reports = work / "reports.txt";
  {
    std::ofstream out(reports);
    for (std::size_t i = 1; i <= lines; ++i)
      out << fmt::format("@rungs {{\"step\": {}, \"val_loss\": {:.6f}, \"train_loss\": {:.6f}}}\n", i, 1.0 / i, 2.0 / i);
  }
  fmt::print("{} report lines of {:.0f} bytes on average, results under {}\n", lines,
             static_cast<double>(fs::file_size(reports)) / static_cast<double>(lines), work.string());
  std::vector<double> rates;
  for (int round = 0; round < repeat; ++round) {
    std::optional<DiskContention> disk;
    if (contention) disk.emplace(work / "contention.bin");
    const auto r = run_once(work, reports, lines, round);
    disk.reset();
    const double n = static_cast<double>(lines);
    rates.push_back(n / r.wall);
    fmt::print("round {}: {:.0f} lines/s ({:.2f} s), CPU {:.2f} us/line, {:.0f} bytes written/line, "
               "timer lateness max {:.1f} ms ({} of {} probes over 100 ms), loop waited {:.2f} s for a CPU, "
               "{} WAL checkpoints, {} of {} lines recorded\n",
               round + 1, n / r.wall, r.wall, 1e6 * r.cpu / n, r.bytes / n, r.lateness_ms, r.late_over_100ms,
               r.probes, r.waiting, r.checkpoints, r.recorded, lines);
    if (r.recorded != lines) {
      fmt::print(stderr, "error: {} report events for {} lines\n", r.recorded, lines);
      return 1;
    }
  }
  std::sort(rates.begin(), rates.end());
  fmt::print("median: {:.0f} lines/s\n", rates[rates.size() / 2]);
  std::error_code ignored;
  fs::remove_all(work, ignored);
  return 0;
}
