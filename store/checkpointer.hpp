#pragma once
// Copies a campaign database's write-ahead log back into the database on a thread of its own,
// so that the writer (the campaign loop, on the event loop's thread) never waits for a disk.
//
// Why: with synchronous=NORMAL a commit only writes the WAL (the OS has it: a crash of rungs
// loses nothing), but SQLite's automatic checkpoint, run by the committing connection once the
// WAL passes 1,000 pages, calls fdatasync on the WAL and on the database. Measured under a
// busy disk (a parallel `dd oflag=direct`), those syncs took up to 570 ms each on the event
// loop, and every other trial's timeout and heartbeat waited for them (docs/benchmarks.md).
//
// How: attach() takes the automatic checkpoint off the writer connection (its WAL hook
// replaces SQLite's) and, after a commit that leaves `threshold` pages or more in the WAL
// that no round has copied yet, wakes this thread, which runs a PASSIVE checkpoint on its own
// connection. PASSIVE never waits for the writer or readers: it copies what no reader still
// needs, and the writer goes on appending meanwhile (in WAL mode a checkpoint runs alongside
// one writer and any readers). Once a checkpoint has copied everything, the writer's next
// transaction starts the WAL over.
//
// What stays on the writer's thread: SQLite starts the WAL over only in a write transaction
// that began after a checkpoint copied every frame, and that transaction syncs the new WAL
// header (one fdatasync of the WAL, which synchronous=NORMAL keeps so that a power loss never
// replays old frames over newer pages). So once per WAL cycle the writer syncs one small
// write. A writer that never pauses (a trial flooding stdout: the next transaction begins
// right after each commit) starves that restart and the WAL grows; at `hard_limit` pages the
// writer checkpoints itself, inline as SQLite's automatic checkpoint would, so that the WAL
// stays bounded (256 MB by default, a few million report lines of continuous flood).
//
// Contract: construct on an existing WAL database; attach() once, from the writer's thread,
// before its first commit; detach() before the writer connection closes. Errors of a
// checkpoint are not thrown: the next commit over the threshold asks again, and the writer's
// close checkpoints what is left.
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

struct sqlite3;

namespace SQLite {
class Database;
}

namespace rungs::store {

class Checkpointer {
 public:
  static constexpr int kDefaultThreshold = 1000;    // pages, SQLite's own automatic threshold
  static constexpr int kDefaultHardLimit = 65536;  // pages: 256 MB of WAL with 4 KiB pages

  explicit Checkpointer(const std::filesystem::path& database, int threshold = kDefaultThreshold,
                        int hard_limit = kDefaultHardLimit);
  ~Checkpointer();  // lets a checkpoint in progress finish, then joins
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  void attach(sqlite3* writer);
  void detach(sqlite3* writer);

  // For tests: checkpoints run on the thread so far; whether the last one copied every frame
  // there was; how many the writer ran itself; the WAL's size in pages after its last commit.
  std::uint64_t checkpoints() const;
  bool caught_up() const;
  std::uint64_t inline_checkpoints() const;
  int wal_pages() const;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  std::unique_ptr<SQLite::Database> db_;  // this thread's own connection
  int threshold_;
  int hard_limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false;                 // a commit left the WAL over the threshold
  bool stopping_ = false;
  bool thread_checkpointing_ = false;   // a round runs on the thread
  bool writer_checkpointing_ = false;   // the writer checkpoints itself (hard limit)
  std::uint64_t checkpoints_ = 0;
  bool caught_up_ = true;
  std::uint64_t inline_checkpoints_ = 0;
  int wal_pages_ = 0;
  int copied_ = 0;  // WAL pages the last round left copied (0 once it caught up)
  std::thread thread_;
};

}  // namespace rungs::store
