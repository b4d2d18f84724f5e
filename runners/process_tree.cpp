#include "runners/process_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>

namespace rungs::runners {

namespace {

// The whole of a small /proc file ("" if it cannot be read).
std::string read_small(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return {};
  }
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

std::optional<ProcessInfo> parse_stat(pid_t pid, const std::string& stat) {
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice num_threads itrealvalue starttime ..."; comm may hold
  // spaces and parentheses, so fields are counted from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) {
    return std::nullopt;
  }
  ProcessInfo info;
  info.pid = pid;
  info.state = stat[close + 2];
  const char* p = stat.c_str() + close + 3;
  unsigned long long fields[20] = {};
  // fields[0] = ppid (field 4) ... fields[18] = starttime (field 22)
  for (int i = 0; i < 19; ++i) {
    char* end = nullptr;
    fields[i] = std::strtoull(p, &end, 10);
    if (end == p) {
      return std::nullopt;
    }
    p = end;
  }
  info.ppid = static_cast<pid_t>(fields[0]);
  info.pgid = static_cast<pid_t>(fields[1]);
  info.start_time = fields[18];
  return info;
}

template <class F>
void for_each_pid(F&& f) {
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) {
    return;
  }
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || pid <= 0) {
      continue;
    }
    f(static_cast<pid_t>(pid));
  }
  ::closedir(dir);
}

}  // namespace

std::optional<ProcessInfo> read_process(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  return parse_stat(pid, read_small(path));
}

std::vector<ProcessInfo> list_processes() {
  std::vector<ProcessInfo> result;
  for_each_pid([&](pid_t pid) {
    if (auto info = read_process(pid)) {
      result.push_back(*info);
    }
  });
  return result;
}

std::vector<ProcessInfo> descendants(pid_t ancestor) {
  const auto all = list_processes();
  std::multimap<pid_t, const ProcessInfo*> children;
  for (const auto& info : all) {
    children.emplace(info.ppid, &info);
  }
  std::vector<ProcessInfo> result;
  std::vector<pid_t> todo{ancestor};
  while (!todo.empty()) {
    const pid_t parent = todo.back();
    todo.pop_back();
    const auto [from, to] = children.equal_range(parent);
    for (auto it = from; it != to; ++it) {
      if (it->second->pid == ancestor || result.size() > all.size()) {
        continue;  // a cycle can only come from a torn scan: never loop
      }
      result.push_back(*it->second);
      todo.push_back(it->second->pid);
    }
  }
  return result;
}

std::string boot_id() {
  std::string id = read_small("/proc/sys/kernel/random/boot_id");
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) {
    id.pop_back();
  }
  return id;
}

bool signal_exactly(const ProcessInfo& who, int sig) {
  if (who.pid <= 0) {
    return false;
  }
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, who.pid, 0));
  const auto now = read_process(who.pid);  // after the open: the pidfd names what we check
  const bool same = now && now->start_time == who.start_time;
  bool sent = false;
  if (same) {
    sent = pidfd >= 0 ? ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) == 0
                      : ::kill(who.pid, sig) == 0;
  }
  if (pidfd >= 0) {
    ::close(pidfd);
  }
  return sent;
}

std::vector<ProcessInfo> processes_with_env(std::string_view name, std::string_view value) {
  std::string entry(name);
  entry += '=';
  entry += value;
  std::vector<ProcessInfo> result;
  for_each_pid([&](pid_t pid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/environ", static_cast<int>(pid));
    const std::string environ = read_small(path);
    // NUL-separated entries: match a whole entry.
    for (std::size_t at = 0; at < environ.size();) {
      const auto end = environ.find('\0', at);
      const auto length = (end == std::string::npos ? environ.size() : end) - at;
      if (std::string_view(environ).substr(at, length) == entry) {
        if (auto info = read_process(pid); info && info->state != 'Z') {
          result.push_back(*info);
        }
        break;
      }
      if (end == std::string::npos) {
        break;
      }
      at = end + 1;
    }
  });
  return result;
}

std::string random_token() {
  unsigned char bytes[16] = {};
  std::size_t got = 0;
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    const ssize_t n = ::read(fd, bytes, sizeof bytes);
    got = n > 0 ? static_cast<std::size_t>(n) : 0;
    ::close(fd);
  }
  if (got < sizeof bytes) {  // no /dev/urandom: still unique enough per machine and moment
    const auto mix = static_cast<unsigned long long>(::getpid()) ^
                     static_cast<unsigned long long>(::time(nullptr)) << 20;
    std::memcpy(bytes, &mix, sizeof mix);
  }
  static const char* digits = "0123456789abcdef";
  std::string token;
  for (const unsigned char b : bytes) {
    token += digits[b >> 4];
    token += digits[b & 15];
  }
  return token;
}

}  // namespace rungs::runners
