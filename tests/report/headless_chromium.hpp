#pragma once
// Loads a page in headless Chromium (Debian's `chromium`) and returns the DOM after its
// scripts ran (--dump-dom) and Chromium's log (console messages appear there as CONSOLE
// lines). Chromium runs in its own process group with its own profile directory; the group
// is killed after it exits or times out, and the test fails if any Chromium process of that
// profile outlives it.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace rungs::testing {

inline const char* chromium_path() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(path, X_OK) == 0) return path;
  return nullptr;
}

struct BrowserRun {
  bool finished = false;  // exited on its own before the timeout
  int status = 0;         // waitpid status
  std::string dom;        // stdout: the serialized DOM
  std::string log;        // stderr: Chromium's log, CONSOLE lines included
  double seconds = 0;
  std::vector<std::string> leftovers;  // processes of this profile alive afterwards
};

namespace detail {

// Empty when the file cannot be read. A /proc/PID file whose process exits while it is read
// fails the read with ESRCH, which libstdc++'s filebuf throws as std::ios_base::failure.
inline std::string slurp(const std::filesystem::path& file) {
  try {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  } catch (const std::ios_base::failure&) {
    return {};
  }
}

// Live (non-zombie) processes whose command line mentions `marker`.
inline std::vector<std::pair<pid_t, std::string>> processes_with(const std::string& marker) {
  std::vector<std::pair<pid_t, std::string>> found;
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0 || pid == ::getpid()) continue;
    const auto base = std::filesystem::path("/proc") / entry->d_name;
    std::string command = slurp(base / "cmdline");
    for (auto& c : command)
      if (c == '\0') c = ' ';
    if (command.find(marker) == std::string::npos) continue;
    const auto stat = slurp(base / "stat");
    const auto close = stat.rfind(')');
    if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') continue;
    found.emplace_back(pid, command.substr(0, 200));
  }
  ::closedir(proc);
  return found;
}

}  // namespace detail

// `url` (file://...), `scratch` a directory for the profile and the output files.
// `virtual_time_ms` > 0: Chromium's --virtual-time-budget, so that the page's timers and
// animation frames up to that (virtual) time run before the dump.
inline BrowserRun dump_dom(const std::string& url, const std::filesystem::path& scratch,
                           std::chrono::seconds timeout = std::chrono::seconds(120), int virtual_time_ms = 0) {
  const auto profile = scratch / "chromium-profile";
  const auto out = scratch / "chromium.stdout";
  const auto err = scratch / "chromium.stderr";
  std::vector<std::string> args = {chromium_path(),
                                   "--headless=new",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--disable-extensions",
                                   "--enable-logging=stderr",
                                   "--v=0",
                                   "--user-data-dir=" + profile.string(),
                                   "--dump-dom"};
  if (virtual_time_ms > 0) args.push_back("--virtual-time-budget=" + std::to_string(virtual_time_ms));
  args.push_back(url);
  const auto started = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    const int stdout_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int stderr_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, 0);
    ::dup2(stdout_fd, 1);
    ::dup2(stderr_fd, 2);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here: whichever of parent and child runs first

  BrowserRun run;
  const auto deadline = started + timeout;
  while (true) {
    const pid_t done = ::waitpid(pid, &run.status, WNOHANG);
    if (done == pid) {
      run.finished = true;
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &run.status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ::kill(-pid, SIGKILL);  // renderers, zygotes, utilities: whatever of the group is left

  // The crash handler runs in a session of its own and ends when the browser is gone; give
  // it and the group a moment, then count (and kill) what remains.
  for (int i = 0; i < 100; ++i) {
    if (detail::processes_with(profile.string()).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (const auto& [leftover, command] : detail::processes_with(profile.string())) {
    run.leftovers.push_back(std::to_string(leftover) + ": " + command);
    ::kill(leftover, SIGKILL);
  }
  run.dom = detail::slurp(out);
  run.log = detail::slurp(err);
  return run;
}

}  // namespace rungs::testing
