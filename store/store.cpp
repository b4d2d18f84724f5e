#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <utility>

#include "store/checkpointer.hpp"

namespace rungs::store {

namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 10> kKindNames = {"launch",  "report", "decision", "exit",  "state",
                                                    "warning", "resume", "relaunch", "retry", "finish"};

// The schema, documented column by column in docs/storage.md.
constexpr const char* kSchema = R"sql(
CREATE TABLE campaign (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  schema_version INTEGER NOT NULL,
  name TEXT NOT NULL,
  mode TEXT NOT NULL,
  options TEXT NOT NULL,
  campaign_yaml TEXT NOT NULL,
  campaign_file TEXT NOT NULL,
  metric TEXT NOT NULL,
  direction TEXT NOT NULL,
  created_at TEXT NOT NULL,
  space TEXT NOT NULL,
  ladder TEXT
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  time REAL NOT NULL,
  kind TEXT NOT NULL,
  trial INTEGER,
  run INTEGER,
  data TEXT NOT NULL
);
CREATE INDEX events_by_kind ON events (kind, trial);
CREATE INDEX events_by_run ON events (kind, run);
CREATE TABLE trials (
  trial INTEGER PRIMARY KEY,
  bracket INTEGER NOT NULL,
  params TEXT NOT NULL,
  state TEXT NOT NULL,
  level INTEGER NOT NULL,
  budget TEXT NOT NULL,
  last_value REAL,
  last_step REAL,
  values_by_level TEXT NOT NULL,
  failure TEXT,
  updated REAL NOT NULL
);
CREATE VIEW runs AS
SELECT l.run AS run, l.trial AS trial,
       json_extract(l.data, '$.bracket') AS bracket,
       json_extract(l.data, '$.level') AS level,
       json_extract(l.data, '$.units') AS units,
       json_extract(l.data, '$.budget') AS budget,
       json_extract(l.data, '$.resumed') AS resumed,
       json_extract(l.data, '$.params') AS params,
       json_extract(l.data, '$.start') AS start,
       COALESCE(json_extract(e.data, '$.cost'), json_extract(l.data, '$.cost')) AS cost,
       l.time AS launched,
       e.time AS ended,
       json_extract(e.data, '$.value') AS value,
       json_extract(e.data, '$.stopped_by_scheduler') AS stopped_by_scheduler,
       json_extract(e.data, '$.paused') AS paused,
       json_extract(e.data, '$.exit_code') AS exit_code,
       json_extract(e.data, '$.signal') AS signal,
       json_extract(e.data, '$.timed_out') AS timed_out,
       json_extract(e.data, '$.stale') AS stale,
       json_extract(e.data, '$.failure') AS failure,
       json_extract(e.data, '$.attempts') AS attempts,
       json_extract(e.data, '$.seconds') AS seconds,
       (SELECT count(*) FROM events r WHERE r.kind = 'relaunch' AND r.run = l.run) AS relaunches
FROM events l LEFT JOIN events e ON e.kind = 'exit' AND e.run = l.run
WHERE l.kind = 'launch';
CREATE VIEW reports AS
SELECT seq, time, trial, run,
       json_extract(data, '$.level') AS level,
       json_extract(data, '$.line') AS line,
       json_extract(data, '$.step') AS step,
       json_extract(data, '$.value') AS value,
       json_extract(data, '$.metrics') AS metrics
FROM events WHERE kind = 'report';
CREATE VIEW warnings AS
SELECT seq, time, trial, run, json_extract(data, '$.message') AS message
FROM events WHERE kind = 'warning';
)sql";

std::string utc_now() {
  const auto now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

std::string dump(const nlohmann::json& value) {
  // Non-finite doubles become null (nlohmann's choice), which pandas reads as NaN.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void configure(SQLite::Database& db) {
  db.setBusyTimeout(5000);  // a reader's snapshot never blocks the writer for long in WAL
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=NORMAL");
  // After a flood grew the WAL (store/checkpointer.hpp), its file shrinks back to this when
  // the WAL starts over.
  db.exec("PRAGMA journal_size_limit=67108864");
}

// Test hook: RUNGS_CRASH_AFTER_EVENTS=N makes the process SIGKILL itself right after its Nth
// append, so tests can kill a campaign at an exact point of its log (tests/campaign/resume_test).
std::uint64_t crash_after_from_environment() {
  const char* text = std::getenv("RUNGS_CRASH_AFTER_EVENTS");
  return text ? std::strtoull(text, nullptr, 10) : 0;
}

}  // namespace

const char* to_string(EventKind kind) { return kKindNames.at(static_cast<std::size_t>(kind)); }

EventKind event_kind_from(const std::string& name) {
  for (std::size_t i = 0; i < kKindNames.size(); ++i)
    if (name == kKindNames[i]) return static_cast<EventKind>(i);
  throw std::invalid_argument(fmt::format("unknown event kind '{}'", name));
}

CampaignStore::CampaignStore(fs::path directory, std::unique_ptr<SQLite::Database> db)
    : directory_(std::move(directory)), db_(std::move(db)), crash_after_(crash_after_from_environment()) {}
CampaignStore::CampaignStore(CampaignStore&&) noexcept = default;
CampaignStore& CampaignStore::operator=(CampaignStore&&) noexcept = default;
CampaignStore::~CampaignStore() {
  try {
    commit();  // what a holding writer appended is kept, as if it had committed itself
  } catch (const std::exception&) {
    // The transaction rolls back: events lost here were never carried out (commit() runs
    // before anything recorded takes effect), so the log stays consistent.
  }
  if (checkpointer_ && db_) checkpointer_->detach(db_->getHandle());
  // The checkpointer's thread ends first; closing the writer, the last connection of this
  // process, then checkpoints what is left.
  checkpointer_.reset();
}

void CampaignStore::start_checkpoints() {
  checkpointer_ = std::make_unique<Checkpointer>(directory_ / kFileName);
  checkpointer_->attach(db_->getHandle());
}

std::uint64_t CampaignStore::checkpoints() const { return checkpointer_ ? checkpointer_->checkpoints() : 0; }

bool CampaignStore::exists(const fs::path& directory) { return fs::exists(directory / kFileName); }

namespace {

// A new store's file with its schema and campaign row, committed and closed.
void write_new_store(const fs::path& file, const CampaignInfo& info) {
  SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  // In WAL mode from the start: opening it later then writes nothing (turning WAL on rewrites
  // the header under a rollback journal, which a kill can leave hot for readers to refuse).
  configure(db);
  SQLite::Transaction transaction(db);
  db.exec(kSchema);
  SQLite::Statement insert(db, "INSERT INTO campaign VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, CampaignStore::kSchemaVersion);
  insert.bind(2, info.name);
  insert.bind(3, info.mode);
  insert.bind(4, dump(info.options));
  insert.bind(5, info.campaign_yaml);
  insert.bind(6, info.campaign_file);
  insert.bind(7, info.metric);
  insert.bind(8, info.direction);
  insert.bind(9, utc_now());
  insert.bind(10, dump(nlohmann::json(info.space)));
  if (info.ladder) insert.bind(11, dump(nlohmann::json(*info.ladder)));
  insert.exec();
  // Added beside schema 2 rather than as schema 3: a reader that does not know the table
  // still reads the campaign; only a warm-started one has it.
  if (!info.warm_start.is_null()) {
    db.exec("CREATE TABLE warm_start (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)");
    SQLite::Statement warm(db, "INSERT INTO warm_start VALUES (1, ?)");
    warm.bind(1, dump(info.warm_start));
    warm.exec();
  }
  transaction.commit();
}

}  // namespace

CampaignStore CampaignStore::create(const fs::path& directory, CampaignInfo info) {
  fs::create_directories(directory);
  const auto path = directory / kFileName;
  if (fs::exists(path)) throw std::runtime_error(fmt::format("'{}' already holds a campaign", path.string()));
  // Written whole under another name, then renamed: a process killed while creating the store
  // leaves no half-made store that neither `run` (it exists) nor `resume` (no campaign row)
  // could go on with; the next `run` starts over.
  auto creating = path;
  creating += ".creating";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(fs::path(creating.string() + suffix));
  write_new_store(creating, info);
  fs::rename(creating, path);
  return open(directory);
}

CampaignStore CampaignStore::open(const fs::path& directory, bool read_only) {
  const auto path = directory / kFileName;
  if (!fs::exists(path))
    throw std::runtime_error(fmt::format("'{}' holds no campaign ({} not found)", directory.string(), kFileName));
  auto db = std::make_unique<SQLite::Database>(path.string(), read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE);
  if (!read_only) configure(*db);
  else db->setBusyTimeout(5000);
  CampaignStore store(directory, std::move(db));
  store.load_info();
  if (!read_only) store.start_checkpoints();
  return store;
}

void CampaignStore::load_info() {
  SQLite::Statement version_query(*db_, "SELECT schema_version FROM campaign WHERE id = 1");
  if (!version_query.executeStep())
    throw std::runtime_error(fmt::format("'{}' has no campaign row", (directory_ / kFileName).string()));
  const int version = version_query.getColumn(0).getInt();
  if (version < kOldestSchemaVersion || version > kSchemaVersion)
    throw std::runtime_error(fmt::format("'{}' has storage schema {}, this rungs reads {} to {}",
                                         (directory_ / kFileName).string(), version, kOldestSchemaVersion,
                                         kSchemaVersion));
  // Schema 1 has no space and ladder columns: its campaigns read without them.
  SQLite::Statement query(*db_, fmt::format("SELECT schema_version, name, mode, options, campaign_yaml, campaign_file, "
                                            "metric, direction, created_at, {} FROM campaign WHERE id = 1",
                                            version >= 2 ? "space, ladder" : "NULL, NULL"));
  query.executeStep();
  info_.name = query.getColumn(1).getString();
  info_.mode = query.getColumn(2).getString();
  info_.options = nlohmann::json::parse(query.getColumn(3).getString());
  info_.campaign_yaml = query.getColumn(4).getString();
  info_.campaign_file = query.getColumn(5).getString();
  info_.metric = query.getColumn(6).getString();
  info_.direction = query.getColumn(7).getString();
  info_.created_at = query.getColumn(8).getString();
  if (!query.getColumn(9).isNull())
    info_.space = nlohmann::json::parse(query.getColumn(9).getString()).get<std::vector<ParameterInfo>>();
  if (!query.getColumn(10).isNull())
    info_.ladder = nlohmann::json::parse(query.getColumn(10).getString()).get<LadderInfo>();
  if (db_->tableExists("warm_start")) {
    SQLite::Statement warm(*db_, "SELECT data FROM warm_start WHERE id = 1");
    if (warm.executeStep()) info_.warm_start = nlohmann::json::parse(warm.getColumn(0).getString());
  }
}

void CampaignStore::update_campaign_yaml(const std::string& yaml) {
  if (holding_) commit();
  SQLite::Statement update(*db_, "UPDATE campaign SET campaign_yaml = ? WHERE id = 1");
  update.bind(1, yaml);
  update.exec();
  info_.campaign_yaml = yaml;
}

std::int64_t CampaignStore::append(Event event, const TrialRow* trial) {
  std::optional<SQLite::Transaction> own;  // not holding: this event is its own transaction
  if (!holding_) own.emplace(*db_);
  else if (!open_) open_ = std::make_unique<SQLite::Transaction>(*db_);
  if (!insert_event_) {
    insert_event_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT INTO events (time, kind, trial, run, data) VALUES (?, ?, ?, ?, ?)");
    upsert_trial_ = std::make_unique<SQLite::Statement>(
        *db_, "INSERT OR REPLACE INTO trials VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }
  auto& insert = *insert_event_;
  insert.reset();
  insert.clearBindings();
  const std::string data = dump(event.data);
  insert.bind(1, event.time);
  insert.bindNoCopy(2, to_string(event.kind));  // static text; `data` outlives exec()
  if (event.trial) insert.bind(3, *event.trial);
  if (event.run) insert.bind(4, *event.run);
  insert.bindNoCopy(5, data);
  insert.exec();
  const auto seq = db_->getLastInsertRowid();
  if (own) {
    if (trial) write_row(*trial);
    own->commit();
  } else {
    if (trial) pending_rows_.insert_or_assign(trial->trial, *trial);
    ++uncommitted_;
  }
  if (crash_after_ != 0 && ++appended_ == crash_after_) {
    commit();  // the crash comes right after event N became durable, whether commits are held or not
    ::kill(::getpid(), SIGKILL);
  }
  return seq;
}

void CampaignStore::write_row(const TrialRow& trial) {
  auto& upsert = *upsert_trial_;
  upsert.reset();
  upsert.clearBindings();
  upsert.bind(1, trial.trial);
  upsert.bind(2, trial.bracket);
  upsert.bind(3, dump(trial.params));
  upsert.bind(4, trial.state);
  upsert.bind(5, trial.level);
  upsert.bind(6, dump(trial.budget));
  if (trial.last_value) upsert.bind(7, *trial.last_value);
  if (trial.last_step) upsert.bind(8, *trial.last_step);
  upsert.bind(9, dump(trial.values_by_level));
  if (trial.failure) upsert.bind(10, *trial.failure);
  upsert.bind(11, trial.updated);
  upsert.exec();
}

void CampaignStore::hold_commits(bool on) {
  if (!on) commit();
  holding_ = on;
}

void CampaignStore::commit() {
  if (!open_) return;
  for (const auto& [id, row] : pending_rows_) write_row(row);
  pending_rows_.clear();
  open_->commit();
  open_.reset();
  uncommitted_ = 0;
}


}  // namespace rungs::store
