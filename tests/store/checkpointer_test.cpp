// The store's background checkpoints (store/checkpointer.hpp): the writer's commits hand the
// WAL to another thread, which copies it into the database, and nothing is lost on the way.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "store/checkpointer.hpp"
#include "store/store.hpp"
#include "tests/temp_dir.hpp"
#include "tests/test_deadline.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using rungs::testing::TempDir;

namespace {

store::CampaignInfo info() {
  store::CampaignInfo info;
  info.name = "checkpoints";
  info.mode = "run";
  info.options = nlohmann::json::object();
  info.metric = "loss";
  info.direction = "min";
  return info;
}

store::Event report(int i) {
  store::Event event;
  event.time = i;
  event.kind = store::EventKind::Report;
  event.trial = 1;
  event.run = 1;
  event.data = {{"step", i}, {"value", 1.0 / (i + 1)}, {"line", std::string(200, 'x')}};
  return event;
}

}  // namespace

TEST_CASE("a writer's commits are checkpointed on another thread, and every event stays readable") {
  TempDir dir;
  constexpr int kEvents = 40000;  // about 12 MB of WAL frames: several times SQLite's threshold
  {
    auto writer = store::CampaignStore::create(dir.path(), info());
    writer.hold_commits();
    for (int i = 0; i < kEvents; ++i) {
      writer.append(report(i));
      if (i % 500 == 499) writer.commit();
    }
    writer.commit();
    // The checkpoints run while the writer goes on; wait for at least one (a guard against
    // hangs only, not a timing claim).
    const auto deadline = std::chrono::steady_clock::now() + testing::deadline(std::chrono::seconds(6));
    while (writer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(writer.checkpoints() > 0);

    const auto reader = store::CampaignStore::open(dir.path(), true);
    CHECK(reader.checkpoints() == 0);  // a read-only store runs none
    const auto events = reader.events();
    REQUIRE(events.size() == kEvents);
    CHECK(events.front().data["step"] == 0);
    CHECK(events.back().data["step"] == kEvents - 1);
  }
  // Closed: everything is in the database file itself.
  CHECK_FALSE(fs::exists(dir.path() / "rungs.db-wal"));
  CHECK(store::CampaignStore::open(dir.path(), true).events().size() == kEvents);
}

namespace {

// A WAL database with one table, written through a raw connection the test drives.
struct Database {
  SQLite::Database db;
  explicit Database(const fs::path& path) : db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE) {
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("CREATE TABLE t (x TEXT)");
  }
  void write_commit(int rows) {
    SQLite::Transaction transaction(db);
    SQLite::Statement insert(db, "INSERT INTO t VALUES (?)");
    for (int i = 0; i < rows; ++i) {
      insert.reset();
      insert.bind(1, std::string(1000, 'a' + i % 26));
      insert.exec();
    }
    transaction.commit();
  }
  std::int64_t rows() { return db.execAndGet("SELECT count(*) FROM t").getInt64(); }
};

}  // namespace

TEST_CASE("the WAL starts over once the thread's checkpoint has caught up and the writer commits again") {
  TempDir dir;
  Database writer(dir.path() / "t.db");
  store::Checkpointer checkpointer(dir.path() / "t.db", /*threshold*/ 20);
  checkpointer.attach(writer.db.getHandle());
  // About 5 pages a commit. The WAL passes the threshold at some commit; by the last one the
  // thread may have caught up already and the WAL started over (seen on a loaded machine).
  int largest = 0;
  for (int i = 0; i < 50; ++i) {
    writer.write_commit(20);
    largest = std::max(largest, checkpointer.wal_pages());
  }
  REQUIRE(largest >= 20);
  const auto deadline = std::chrono::steady_clock::now() + testing::deadline(std::chrono::seconds(3));
  while (!checkpointer.caught_up() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(checkpointer.caught_up());
  CHECK(checkpointer.checkpoints() > 0);
  CHECK(checkpointer.inline_checkpoints() == 0);
  writer.write_commit(1);
  CHECK(checkpointer.wal_pages() < 10);  // started over: this commit's frames only
  CHECK(writer.rows() == 50 * 20 + 1);
  checkpointer.detach(writer.db.getHandle());
}

TEST_CASE("a writer that never lets the thread catch up checkpoints itself at the hard limit") {
  TempDir dir;
  Database writer(dir.path() / "t.db");
  store::Checkpointer bounded(dir.path() / "t.db", /*threshold*/ 40, /*hard_limit*/ 40);
  bounded.attach(writer.db.getHandle());
  int largest = 0;
  for (int i = 0; i < 100; ++i) {
    writer.write_commit(20);
    largest = std::max(largest, bounded.wal_pages());
  }
  CHECK(bounded.inline_checkpoints() > 0);
  CHECK(largest < 40 + 20);  // the limit and at most one commit's pages past it
  CHECK(writer.rows() == 100 * 20);
  bounded.detach(writer.db.getHandle());
}
