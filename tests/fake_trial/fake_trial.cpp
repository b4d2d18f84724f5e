// A stand-in trial program for the runner tests: each mode exercises one behaviour a real
// training script may have (reporting, crashing, hanging, ignoring SIGTERM, forking, ...).
// Standard library and POSIX only, so it builds anywhere the tests do.
//
//   fake_trial report N [--sleep-ms M] [--metric NAME] [--scale S] [--no-final-newline]
//                                    N reports, metric S/step (S defaults to 1)
//   fake_trial checkpointed N MS FILE
//                                    steps 1..N, one every MS ms: report the step, then
//                                    write it to FILE (the checkpoint). Starts after the
//                                    step in FILE if there is one, and with RUNGS_RELAUNCH=1
//                                    first reports that step again (the trial protocol);
//                                    prints "continuing after step K (RUNGS_RELAUNCH=R)"
//   fake_trial crash                 one report, then abort()
//   fake_trial exit CODE
//   fake_trial hang                  "ready", then sleeps forever
//   fake_trial chatter N MS          "tick 1".."tick N", one every MS ms, then sleeps forever
//                                    (alive but silent: what a heartbeat catches)
//   fake_trial ignore-term           ignores SIGTERM, "ready", sleeps forever
//   fake_trial handle-term           "ready", sleeps until SIGTERM, then "got SIGTERM", exits 0
//                                    (a handled TERM: it needs to run to act on it)
//   fake_trial garbage               malformed reports and junk lines, then a valid report
//   fake_trial fork-grandchild PIDFILE exit|hang
//                                    forks a grandchild that ignores SIGTERM and sleeps
//                                    forever (holding stdout), writes its pid to PIDFILE,
//                                    prints "ready", then exits 0 or hangs
//   fake_trial escape PIDFILE        forks a child that leaves the process group (setsid) and
//                                    sleeps holding stdout, writes its pid, exits 0
//   fake_trial daemon PIDFILE exit|hang
//                                    a double-forked daemon: a child forks a grandchild that
//                                    calls setsid(), ignores SIGTERM and sleeps forever; the
//                                    child exits at once (the grandchild is orphaned); writes
//                                    the grandchild's pid, prints "ready", then exits 0 or hangs
//   fake_trial flood N               N report lines as fast as it can, then exits 0
//   fake_trial score X STEPS MS [FILE]
//                                    STEPS reports, one every MS ms, of a loss that depends on X
//                                    only: (log10(X) + 2)^2 + 1/step (deterministic campaigns);
//                                    with FILE, a checkpoint: starts after the step in it and
//                                    writes each step reported (a paused and resumed training)
//   fake_trial family STEPS MS [MARKER...]
//                                    a child in its process group and a double-forked grandchild
//                                    in a session of its own (both ignore SIGTERM and sleep
//                                    forever), then STEPS reports, one every MS ms, then exits 0
//                                    leaving both behind; the grandchild's pid goes to
//                                    $RUNGS_TRIAL_DIR/grandchild.pid; extra arguments (a marker
//                                    that tests find in /proc/PID/cmdline of all three) are ignored
//   fake_trial lines N               "line 1".."line N", then exits 0
//   fake_trial echo-args ARGS...     each argument as a JSON string on its own line
//   fake_trial env NAMES...          NAME=value, or "NAME unset"
//   fake_trial stderr TEXT           TEXT to stderr, "done" to stdout
//   fake_trial long-line N           a line of N 'x', then a report
//   fake_trial fds                   "fd N" for each open descriptor
//   fake_trial signals               dispositions / mask of SIGUSR1, SIGUSR2
//   fake_trial pgid                  "pid=P pgid=G"
#include <dirent.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace {

volatile sig_atomic_t got_term = 0;

void on_term(int) { got_term = 1; }

[[noreturn]] void sleep_forever() {
  while (true) {
    ::pause();
  }
}

void say(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

std::string json_quote(const char* text) {
  std::string out = "\"";
  for (const char* p = text; *p != '\0'; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

int usage() {
  std::fprintf(stderr, "usage: fake_trial MODE [ARGS...] (see fake_trial.cpp)\n");
  return 2;
}

int report(int argc, char** argv) {
  if (argc < 3) {
    return usage();
  }
  const int n = std::atoi(argv[2]);
  int sleep_ms = 0;
  std::string metric = "loss";
  bool final_newline = true;
  double scale = 1.0;
  for (int i = 3; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--scale" && i + 1 < argc) {
      scale = std::atof(argv[++i]);
    } else if (arg == "--sleep-ms" && i + 1 < argc) {
      sleep_ms = std::atoi(argv[++i]);
    } else if (arg == "--metric" && i + 1 < argc) {
      metric = argv[++i];
    } else if (arg == "--no-final-newline") {
      final_newline = false;
    } else {
      return usage();
    }
  }
  for (int step = 1; step <= n; ++step) {
    std::printf("@rungs {\"step\": %d, \"%s\": %.6g}", step, metric.c_str(), scale / step);
    if (step < n || final_newline) {
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
    if (sleep_ms > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    }
  }
  return 0;
}

// Write then rename, so the test never reads a half-written file.
void write_number(const std::string& file, long value) {
  const std::string tmp = file + ".tmp";
  if (FILE* f = std::fopen(tmp.c_str(), "w")) {
    std::fprintf(f, "%ld\n", value);
    std::fclose(f);
    std::rename(tmp.c_str(), file.c_str());
  }
}

void write_pid(const std::string& pidfile, pid_t pid) { write_number(pidfile, static_cast<long>(pid)); }

void report_step(int step) {
  std::printf("@rungs {\"step\": %d, \"loss\": %.6g}\n", step, 1.0 / step);
  std::fflush(stdout);
}

// A training that survives being killed between any two steps: the checkpoint is written
// after the step's report, so a step is reported at least once and resumed after at most once.
int checkpointed(int argc, char** argv) {
  if (argc < 5) {
    return usage();
  }
  const int n = std::atoi(argv[2]);
  const auto every = std::chrono::milliseconds(std::atoi(argv[3]));
  const std::string file = argv[4];
  int done = 0;
  if (FILE* f = std::fopen(file.c_str(), "r")) {
    if (std::fscanf(f, "%d", &done) != 1) {
      done = 0;
    }
    std::fclose(f);
  }
  const char* relaunch = std::getenv("RUNGS_RELAUNCH");
  say("continuing after step " + std::to_string(done) + " (RUNGS_RELAUNCH=" + (relaunch ? relaunch : "") + ")");
  if (done > 0 && relaunch != nullptr && std::string(relaunch) == "1") {
    report_step(done);
  }
  for (int step = done + 1; step <= n; ++step) {
    std::this_thread::sleep_for(every);
    report_step(step);
    write_number(file, step);
  }
  return 0;
}

int fork_grandchild(int argc, char** argv, bool escape) {
  if (argc < (escape ? 3 : 4)) {
    return usage();
  }
  const std::string pidfile = argv[2];
  const std::string then = escape ? "exit" : argv[3];
  // The parent reports "ready" only once the child is set up (no race with the test).
  int sync[2];
  if (::pipe(sync) == -1) {
    std::perror("pipe");
    return 1;
  }
  const pid_t child = ::fork();
  if (child == -1) {
    std::perror("fork");
    return 1;
  }
  if (child == 0) {
    if (escape) {
      ::setsid();  // out of the trial's process group: only the test can kill it
    }
    ::signal(SIGTERM, SIG_IGN);  // only SIGKILL can end it: proves the group kill
    ::close(sync[0]);
    [[maybe_unused]] const auto n = ::write(sync[1], "x", 1);
    ::close(sync[1]);
    sleep_forever();
  }
  ::close(sync[1]);
  char byte = 0;
  [[maybe_unused]] const auto n = ::read(sync[0], &byte, 1);
  ::close(sync[0]);
  write_pid(pidfile, child);
  say("ready");
  if (then == "hang") {
    sleep_forever();
  }
  return 0;
}

// The double fork of a classic daemon: the grandchild ends up with no parent but the nearest
// subreaper, in a session of its own.
int daemon_mode(int argc, char** argv) {
  if (argc < 4) {
    return usage();
  }
  const std::string pidfile = argv[2];
  int sync[2];
  if (::pipe(sync) == -1) {
    return 1;
  }
  const pid_t child = ::fork();
  if (child == -1) {
    return 1;
  }
  if (child == 0) {
    const pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::setsid();
      ::signal(SIGTERM, SIG_IGN);
      const pid_t self = ::getpid();
      [[maybe_unused]] const auto n = ::write(sync[1], &self, sizeof self);
      sleep_forever();
    }
    ::_exit(0);
  }
  ::close(sync[1]);
  pid_t grandchild = -1;
  [[maybe_unused]] const auto n = ::read(sync[0], &grandchild, sizeof grandchild);
  ::waitpid(child, nullptr, 0);
  write_pid(pidfile, grandchild);
  say("ready");
  if (std::string(argv[3]) == "hang") {
    sleep_forever();
  }
  return 0;
}

// Reports of a deterministic loss: the same X gives the same lines, run after run.
int score(int argc, char** argv) {
  if (argc < 5) {
    return usage();
  }
  const double x = std::atof(argv[2]);
  const int steps = std::atoi(argv[3]);
  const auto every = std::chrono::milliseconds(std::atoi(argv[4]));
  const double base = std::pow(std::log10(x) + 2.0, 2.0);
  int done = 0;
  if (argc >= 6)
    if (FILE* f = std::fopen(argv[5], "r")) {
      if (std::fscanf(f, "%d", &done) != 1) done = 0;
      std::fclose(f);
    }
  for (int step = done + 1; step <= steps; ++step) {
    std::this_thread::sleep_for(every);
    char line[128];
    std::snprintf(line, sizeof line, "@rungs {\"step\": %d, \"loss\": %.9g}", step, base + 1.0 / step);
    say(line);
    if (argc >= 6) write_number(argv[5], step);
  }
  return 0;
}

// A trial that leaves processes behind: one in its group, one out of its session.
int family(int argc, char** argv) {
  if (argc < 4) {
    return usage();
  }
  const int steps = std::atoi(argv[2]);
  const auto every = std::chrono::milliseconds(std::atoi(argv[3]));
  const pid_t child = ::fork();
  if (child == -1) {
    return 1;
  }
  if (child == 0) {  // stays in the trial's process group
    ::signal(SIGTERM, SIG_IGN);
    sleep_forever();
  }
  int sync[2];
  if (::pipe(sync) == -1) {
    return 1;
  }
  const pid_t middle = ::fork();
  if (middle == -1) {
    return 1;
  }
  if (middle == 0) {
    if (::fork() == 0) {  // the grandchild: a session of its own, orphaned at once
      ::setsid();
      ::signal(SIGTERM, SIG_IGN);
      ::close(sync[0]);
      const pid_t self = ::getpid();
      [[maybe_unused]] const auto n = ::write(sync[1], &self, sizeof self);
      ::close(sync[1]);
      sleep_forever();
    }
    ::_exit(0);
  }
  ::close(sync[1]);
  pid_t grandchild = -1;
  [[maybe_unused]] const auto n = ::read(sync[0], &grandchild, sizeof grandchild);  // set up
  ::close(sync[0]);
  ::waitpid(middle, nullptr, 0);
  if (const char* dir = std::getenv("RUNGS_TRIAL_DIR")) {
    write_pid(std::string(dir) + "/grandchild.pid", grandchild);
  }
  for (int step = 1; step <= steps; ++step) {
    std::this_thread::sleep_for(every);
    say("@rungs {\"step\": " + std::to_string(step) + ", \"loss\": 0.5}");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    return usage();
  }
  const std::string mode = argv[1];

  if (mode == "report") {
    return report(argc, argv);
  }
  if (mode == "checkpointed") {
    return checkpointed(argc, argv);
  }
  if (mode == "crash") {
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);  // a core dump would only slow the test down
    say("@rungs {\"step\": 1, \"loss\": 0.9}");
    std::abort();
  }
  if (mode == "exit" && argc >= 3) {
    say(std::string("exiting with ") + argv[2]);
    return std::atoi(argv[2]);
  }
  if (mode == "hang") {
    say("ready");
    sleep_forever();
  }
  if (mode == "chatter" && argc >= 4) {
    const int n = std::atoi(argv[2]);
    const auto every = std::chrono::milliseconds(std::atoi(argv[3]));
    for (int i = 1; i <= n; ++i) {
      if (i > 1) {
        std::this_thread::sleep_for(every);
      }
      say("tick " + std::to_string(i));
    }
    sleep_forever();
  }
  if (mode == "ignore-term") {
    ::signal(SIGTERM, SIG_IGN);
    say("ready");
    sleep_forever();
  }
  if (mode == "handle-term") {
    struct sigaction action {};
    action.sa_handler = on_term;
    sigemptyset(&action.sa_mask);
    // Blocked until we wait for it: no TERM can slip in between the check and the wait.
    sigset_t term, old;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &old);
    sigaction(SIGTERM, &action, nullptr);
    say("ready");
    while (got_term == 0) {
      sigsuspend(&old);
    }
    say("got SIGTERM");
    return 0;
  }
  if (mode == "garbage") {
    say("@rungs {not json");
    say("just some log output");
    say("@rungs [1, 2, 3]");
    say("\x01\x02 binary junk \x7f");
    say("@rungs {\"step\": 1, \"loss\": 0.5}");
    return 0;
  }
  if (mode == "fork-grandchild" || mode == "escape") {
    return fork_grandchild(argc, argv, mode == "escape");
  }
  if (mode == "daemon") {
    return daemon_mode(argc, argv);
  }
  if (mode == "flood" && argc >= 3) {
    const long n = std::atol(argv[2]);
    for (long step = 1; step <= n; ++step) {
      std::printf("@rungs {\"step\": %ld, \"loss\": 0.5}\n", step);
    }
    return 0;
  }
  if (mode == "score") {
    return score(argc, argv);
  }
  if (mode == "family") {
    return family(argc, argv);
  }
  if (mode == "lines" && argc >= 3) {
    const int n = std::atoi(argv[2]);
    for (int i = 1; i <= n; ++i) {
      say("line " + std::to_string(i));
    }
    return 0;
  }
  if (mode == "echo-args") {
    for (int i = 2; i < argc; ++i) {
      say(json_quote(argv[i]));
    }
    return 0;
  }
  if (mode == "env") {
    for (int i = 2; i < argc; ++i) {
      const char* value = std::getenv(argv[i]);
      say(value != nullptr ? std::string(argv[i]) + "=" + value : std::string(argv[i]) + " unset");
    }
    return 0;
  }
  if (mode == "stderr" && argc >= 3) {
    std::fprintf(stderr, "%s\n", argv[2]);
    std::fflush(stderr);
    say("done");
    return 0;
  }
  if (mode == "long-line" && argc >= 3) {
    say(std::string(static_cast<std::size_t>(std::atol(argv[2])), 'x'));
    say("@rungs {\"step\": 1, \"loss\": 0.5}");
    return 0;
  }
  if (mode == "fds") {
    DIR* dir = ::opendir("/proc/self/fd");
    if (dir == nullptr) {
      return 1;
    }
    const int own = ::dirfd(dir);
    std::string lines;
    while (const dirent* entry = ::readdir(dir)) {
      if (entry->d_name[0] == '.' || std::atoi(entry->d_name) == own) {
        continue;
      }
      lines += std::string("fd ") + entry->d_name + "\n";
    }
    ::closedir(dir);
    std::fputs(lines.c_str(), stdout);
    return 0;
  }
  if (mode == "signals") {
    sigset_t mask;
    sigprocmask(SIG_BLOCK, nullptr, &mask);
    struct sigaction usr1 {};
    sigaction(SIGUSR1, nullptr, &usr1);
    say(std::string("SIGUSR1 ") + (usr1.sa_handler == SIG_IGN ? "ignored" : "default"));
    say(std::string("SIGUSR2 ") + (sigismember(&mask, SIGUSR2) ? "blocked" : "unblocked"));
    return 0;
  }
  if (mode == "pgid") {
    say("pid=" + std::to_string(::getpid()) + " pgid=" + std::to_string(::getpgid(0)));
    return 0;
  }
  return usage();
}
