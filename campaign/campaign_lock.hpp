#pragma once
// One writer per campaign directory. `rungs run` and `rungs resume` hold an exclusive lock on
// DIR/rungs.lock for as long as they live; a second writer is refused at once, naming the
// holder. Two schedulers appending to one log had duplicated runs and reports and left a
// campaign that no resume could replay.
//
// Mechanism: flock(2) on a file of its own (not on rungs.db: SQLite takes POSIX locks there,
// and NFS emulates flock with POSIX locks). The kernel releases the lock when the holder's
// last descriptor closes, so a holder killed by SIGKILL or a lost host never leaves a stale
// lock behind; the descriptor is close-on-exec, so trial processes never inherit it. The file
// holds the holder's pid, host and start time, for the refusal message only (the lock, not the
// file's presence, is what counts). Readers (`status`, `report`, `export`, sqlite3) take no lock.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace rungs::campaign {

// Another process writes the campaign; what() names it.
struct CampaignLocked : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CampaignLock {
 public:
  static constexpr const char* kFileName = "rungs.lock";

  // Locks `directory` (which must exist) for this process. Throws CampaignLocked when another
  // process holds it, std::runtime_error when the lock file cannot be opened.
  static CampaignLock acquire(const std::filesystem::path& directory);

  // Whether a process holds the lock of `directory` now: a campaign whose log has not ended
  // is running if so, interrupted (or crashed) if not. For readers (`rungs status`): it takes
  // the lock shared for an instant, so a writer starting in that instant retries (acquire).
  static bool held(const std::filesystem::path& directory);

  CampaignLock(CampaignLock&& other) noexcept;
  CampaignLock& operator=(CampaignLock&& other) noexcept;
  CampaignLock(const CampaignLock&) = delete;
  CampaignLock& operator=(const CampaignLock&) = delete;
  ~CampaignLock();  // releases it

 private:
  explicit CampaignLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace rungs::campaign
