#include "store/checkpointer.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>

namespace rungs::store {

Checkpointer::Checkpointer(const std::filesystem::path& database, int threshold, int hard_limit)
    : db_(std::make_unique<SQLite::Database>(database.string(), SQLite::OPEN_READWRITE)),
      threshold_(threshold < 1 ? 1 : threshold),
      hard_limit_(hard_limit < threshold_ ? threshold_ : hard_limit) {
  // A connection learns that the database is in WAL mode when it first reads it; until then
  // a checkpoint is a no-op (it reports -1 pages). That read waits while another process
  // (a `rungs status` opening the database just now) recovers the WAL index.
  db_->setBusyTimeout(5000);
  db_->exec("SELECT count(*) FROM sqlite_schema");
  thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Checkpointer::attach(sqlite3* writer) {
  // Replaces the automatic checkpoint (itself a WAL hook) of the writer connection.
  sqlite3_wal_hook(writer, &Checkpointer::on_commit, this);
}

void Checkpointer::detach(sqlite3* writer) { sqlite3_wal_hook(writer, nullptr, nullptr); }

std::uint64_t Checkpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

bool Checkpointer::caught_up() const {
  std::lock_guard lock(mutex_);
  return caught_up_ && !wanted_ && !thread_checkpointing_;
}

std::uint64_t Checkpointer::inline_checkpoints() const {
  std::lock_guard lock(mutex_);
  return inline_checkpoints_;
}

int Checkpointer::wal_pages() const {
  std::lock_guard lock(mutex_);
  return wal_pages_;
}

// On the writer's thread, right after a commit, its write lock released: stays cheap unless
// the WAL passed the hard limit.
int Checkpointer::on_commit(void* self, sqlite3* writer, const char*, int pages) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  std::unique_lock lock(checkpointer.mutex_);
  checkpointer.wal_pages_ = pages;
  // What the last round copied is not asked again: a WAL that a flood keeps from starting
  // over would otherwise wake a round (two syncs) for every commit.
  const int pending = pages - std::min(pages, checkpointer.copied_);
  if (pending < checkpointer.threshold_) return SQLITE_OK;
  if (pages < checkpointer.hard_limit_) {
    const bool wake = !checkpointer.wanted_;
    checkpointer.wanted_ = true;
    lock.unlock();
    if (wake) checkpointer.wake_.notify_all();
    return SQLITE_OK;
  }
  // Only one checkpoint at a time gets SQLite's checkpoint lock (the others fail with
  // SQLITE_BUSY, without waiting): wait for the thread's round, and keep it from starting one.
  checkpointer.writer_checkpointing_ = true;
  checkpointer.wake_.wait(lock, [&] { return !checkpointer.thread_checkpointing_; });
  ++checkpointer.inline_checkpoints_;
  lock.unlock();
  (void)sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  lock.lock();
  checkpointer.writer_checkpointing_ = false;
  lock.unlock();
  checkpointer.wake_.notify_all();
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return (wanted_ && !writer_checkpointing_) || stopping_; });
    if (stopping_) return;
    wanted_ = false;
    thread_checkpointing_ = true;
    lock.unlock();
    int log_pages = 0, copied = 0;
    // SQLITE_BUSY (another process checkpointing) or an I/O error: the next commit over the
    // threshold asks again.
    const int rc =
        sqlite3_wal_checkpoint_v2(db_->getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
    lock.lock();
    thread_checkpointing_ = false;
    ++checkpoints_;
    caught_up_ = rc == SQLITE_OK && log_pages == copied;
    // Caught up: the writer's next transaction starts the WAL over, counting from 0 again.
    copied_ = rc == SQLITE_OK && !caught_up_ ? copied : 0;
    wake_.notify_all();
  }
}

}  // namespace rungs::store
