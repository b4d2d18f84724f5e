#pragma once
// The campaign's storage: one embedded SQLite database, DIR/rungs.db, in WAL mode. Every event
// of the campaign (a run launched, a report, a scheduler decision, a run's end, a trial's new
// state, a warning) is appended to the `events` table BEFORE it takes effect, so a campaign
// whose host dies can be rebuilt from it (campaign/replay.hpp). The `trials` table holds each
// trial's current state for `rungs status`; views `runs` and `reports` read the log the way
// people query results. docs/storage.md documents the schema for sqlite3 and pandas users.
//
// Durability: journal_mode=WAL, synchronous=NORMAL. A commit is in the OS before append()
// returns, so a crash of rungs (SIGKILL) loses nothing; a power loss can lose the last
// commits, but the trials that produced them die with the host too and are rerun from their
// checkpoints, so the log stays consistent with what happens next. A writable store copies
// its WAL into the database on a thread of its own (store/checkpointer.hpp): a commit never
// waits for a disk sync, whatever else the disk is doing.
//
// One writer (the campaign loop); any number of readers (`rungs status`, `rungs report`,
// sqlite3) may read while it runs. Readers use the typed reads below (rows as structs,
// store/records.hpp), never SQL: the schema is this folder's business.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/records.hpp"

namespace SQLite {
class Database;
class Statement;
class Transaction;
}

namespace rungs::store {

enum class EventKind {
  Launch,    // a run handed out by the scheduler (a new trial or a promotion)
  Report,    // a report line of a run
  Decision,  // the scheduler decided to stop a run early
  Exit,      // a run ended (how, its value, its failure)
  State,     // a trial's scheduler state changed (running, waiting, stopped, completed, failed)
  Warning,   // a malformed report line or another problem, naming trial and line
  Resume,    // the campaign was resumed after an interruption
  Relaunch,  // a run that was out when the campaign stopped, started again
  Retry,     // a run failed and is launched again (trial.retries)
  Finish,    // the campaign ended: nothing runs and the scheduler hands out nothing more
};
const char* to_string(EventKind kind);
EventKind event_kind_from(const std::string& name);  // throws std::invalid_argument

struct Event {
  double time = 0;  // campaign seconds (virtual ones in a simulation)
  EventKind kind = EventKind::Warning;
  std::optional<std::int64_t> trial;
  std::optional<std::int64_t> run;
  nlohmann::json data = nlohmann::json::object();
  std::int64_t seq = 0;  // position in the log, from 1; filled in by append()
};

class Checkpointer;

class CampaignStore {
 public:
  static constexpr const char* kFileName = "rungs.db";
  // 2 adds the campaign's space and ladder; stores of schema 1 are read (without them).
  static constexpr int kSchemaVersion = 2;
  static constexpr int kOldestSchemaVersion = 1;

  // A new campaign in `directory` (created if missing). Throws std::runtime_error if it
  // already holds a database.
  static CampaignStore create(const std::filesystem::path& directory, CampaignInfo info);
  // An existing campaign. Throws std::runtime_error naming the path when there is none or
  // its schema is not one this rungs reads.
  static CampaignStore open(const std::filesystem::path& directory, bool read_only = false);
  static bool exists(const std::filesystem::path& directory);

  CampaignStore(CampaignStore&&) noexcept;
  CampaignStore& operator=(CampaignStore&&) noexcept;
  ~CampaignStore();

  const CampaignInfo& info() const { return info_; }
  const std::filesystem::path& directory() const { return directory_; }

  // Appends to the log, durable on return; returns its seq. A trial row, if given, is
  // written in the same transaction.
  std::int64_t append(Event event, const TrialRow* trial = nullptr);

  // Group commit, for a writer that decides itself when its events must be durable (the
  // campaign loop's journal: before anything it recorded takes effect outside rungs). Once
  // held, append() writes into one open transaction and keeps only the latest row per trial;
  // commit() writes those rows and commits, durable on return. A store destroyed while
  // holding commits what it holds. One commit per burst instead of per event is what makes
  // ingestion run at line rate: a commit costs a WAL frame per touched page.
  void hold_commits(bool on = true);  // off: commits what it holds, then one commit per append
  void commit();
  // Events appended since the last commit.
  std::size_t uncommitted() const { return uncommitted_; }

  // Reads, each a consistent view on its own; a ReadTransaction makes several agree.
  std::vector<Event> events() const;                  // the whole log, in order
  std::vector<Event> events_of(EventKind kind) const;  // the events of one kind, in order
  std::vector<TrialRow> trials() const;               // the `trials` table, by trial
  std::vector<RunRecord> runs() const;                // the `runs` view, by run
  std::vector<ReportRecord> reports() const;          // the `reports` view, in order
  std::vector<WarningRecord> warnings() const;        // the `warnings` view, in order
  std::map<EventKind, EventTotals> totals() const;    // events per kind (kinds with none absent)
  std::map<std::int64_t, MetricTotals> metric_totals() const;  // per trial, its reports' values
  std::vector<Curve> curves() const;                  // per trial with values, by trial
  // The latest event of one of `kinds` (e.g. the last finish or resume: has the campaign
  // ended since it last started?), or none.
  std::optional<Event> last_of(const std::vector<EventKind>& kinds) const;
  // The first event of `kind` whose data holds `key` (e.g. the first resume that grew the
  // campaign), or none.
  std::optional<Event> first_with(EventKind kind, const std::string& key) const;
  // A grown campaign (campaign/campaign_growth.hpp) records the YAML it now runs with.
  void update_campaign_yaml(const std::string& yaml);

  // WAL checkpoints the store's background thread has run (0 for a read-only store): tests.
  std::uint64_t checkpoints() const;

 private:
  friend class ReadTransaction;
  CampaignStore(std::filesystem::path directory, std::unique_ptr<SQLite::Database> db);
  void load_info();
  void start_checkpoints();

  std::filesystem::path directory_;
  std::unique_ptr<SQLite::Database> db_;
  std::unique_ptr<Checkpointer> checkpointer_;  // writable stores; stopped before db_ closes
  // The two writes of append(), compiled once: preparing them per event cost more than the
  // write itself.
  std::unique_ptr<SQLite::Statement> insert_event_;
  std::unique_ptr<SQLite::Statement> upsert_trial_;
  CampaignInfo info_;
  std::uint64_t appended_ = 0;
  bool holding_ = false;
  std::unique_ptr<SQLite::Transaction> open_;      // while holding, with uncommitted events
  std::map<std::int64_t, TrialRow> pending_rows_;  // while holding: the latest row per trial
  std::size_t uncommitted_ = 0;
  void write_row(const TrialRow& row);
  std::uint64_t crash_after_ = 0;  // test hook, see store.cpp
};

// One SQLite read transaction over several reads of a store, so that they all see the same
// state of a database another process is appending to: in WAL mode the writer goes on
// meanwhile, and a status table whose counts came from two different moments would not add
// up. Open it before the reads, on the reading thread; the store must outlive it.
class ReadTransaction {
 public:
  explicit ReadTransaction(const CampaignStore& store);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  const CampaignStore& store_;
};

}  // namespace rungs::store
