#include "campaign/campaign_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "text/shell_word.hpp"

namespace rungs::campaign {

namespace {

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown host";
  return name;
}

std::string utc_now() {
  const auto now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// "pid 4242 on host gpu01, since 2026-12-02T10:24:57Z", or a plain phrase when the holder
// has not written its details yet (it took the lock a moment ago).
std::string describe_holder(const std::filesystem::path& file) {
  std::ifstream in(file);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const auto holder = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!holder.is_object() || !holder.contains("pid")) return "another rungs process";
  return fmt::format("rungs pid {} on host {}, since {}", holder.value("pid", 0), holder.value("host", "?"),
                     holder.value("started", "?"));
}

}  // namespace

CampaignLock CampaignLock::acquire(const std::filesystem::path& directory) {
  const auto file = directory / kFileName;
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", file.string(), std::strerror(errno)));
  // A reader probing the lock (held()) holds it shared for an instant: a few tries over
  // 100 ms tell it from a writer, which holds it for as long as it runs.
  int locked = -1;
  for (int attempt = 0; attempt < 5 && locked != 0; ++attempt) {
    if (attempt > 0) ::usleep(20'000);
    locked = ::flock(fd, LOCK_EX | LOCK_NB);
    if (locked != 0 && errno != EWOULDBLOCK) break;
  }
  if (locked != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      throw CampaignLocked(fmt::format("{} is being written by {}; a campaign has one writer at a time (`rungs status {}` "
                                       "works meanwhile)",
                                       directory.string(), describe_holder(file), text::shell_word(directory.string())));
    throw std::runtime_error(fmt::format("cannot lock {}: {}", file.string(), std::strerror(err)));
  }
  const nlohmann::json holder = {{"pid", ::getpid()}, {"host", host_name()}, {"started", utc_now()}};
  const std::string text = holder.dump() + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    // The details are only for messages: the lock holds without them.
  }
  return CampaignLock(fd);
}

bool CampaignLock::held(const std::filesystem::path& directory) {
  const int fd = ::open((directory / kFileName).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // never locked: no writer ever ran here
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the shared lock if it was taken
  return held;
}

CampaignLock::CampaignLock(CampaignLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

CampaignLock& CampaignLock::operator=(CampaignLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

CampaignLock::~CampaignLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace rungs::campaign
