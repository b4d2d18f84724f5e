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
// checkpoints, so the log stays consistent with what happens next.
//
// One writer (the campaign loop); any number of readers (`rungs status`, `rungs report`,
// sqlite3) may read while it runs.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace SQLite {
class Database;
class Statement;
}

namespace rungs::store {

// What the campaign is, written once when it is created.
struct CampaignInfo {
  std::string name;
  std::string mode = "run";          // "run" or "simulate": how `rungs resume` goes on
  nlohmann::json options = nlohmann::json::object();  // e.g. the simulation's settings
  std::string campaign_yaml;         // the campaign file's text it was started with
  std::string campaign_file;         // where that file was (for relative paths in it)
  std::string metric;
  std::string direction = "min";     // "min" or "max"
  std::string created_at;            // UTC, ISO 8601; filled in by create()
};

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

// A trial's current row in the `trials` table.
struct TrialRow {
  std::int64_t trial = 0;
  std::int64_t bracket = 0;
  nlohmann::json params = nlohmann::json::object();
  std::string state;                       // scheduler::to_string(TrialState)
  std::int64_t level = 0;                  // highest budget level it was launched at
  nlohmann::json budget = nlohmann::json::object();  // that level's budget point
  std::optional<double> last_value;        // last reported value of the metric
  std::optional<double> last_step;
  nlohmann::json values_by_level = nlohmann::json::object();  // level -> value at its end
  std::optional<std::string> failure;      // the last failure, if any
  double updated = 0;                      // campaign seconds
};

class CampaignStore {
 public:
  static constexpr const char* kFileName = "rungs.db";
  static constexpr int kSchemaVersion = 1;

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

  // Reads. events() is the whole log in order; the others return JSON rows (objects keyed by
  // column; JSON columns parsed) as `rungs export` writes them.
  std::vector<Event> events() const;
  nlohmann::json trials() const;
  nlohmann::json runs() const;
  nlohmann::json reports() const;
  nlohmann::json warnings() const;
  // Any read-only query, rows as JSON objects (for status and report).
  nlohmann::json query(const std::string& sql) const;

 private:
  CampaignStore(std::filesystem::path directory, std::unique_ptr<SQLite::Database> db);
  void load_info();

  std::filesystem::path directory_;
  std::unique_ptr<SQLite::Database> db_;
  // The two writes of append(), compiled once: preparing them per event cost more than the
  // write itself.
  std::unique_ptr<SQLite::Statement> insert_event_;
  std::unique_ptr<SQLite::Statement> upsert_trial_;
  CampaignInfo info_;
  std::uint64_t appended_ = 0;
  std::uint64_t crash_after_ = 0;  // test hook, see store.cpp
};

}  // namespace rungs::store
