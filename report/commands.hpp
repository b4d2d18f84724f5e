#pragma once
// The `rungs status`, `rungs report` and `rungs export` commands as plain functions, for
// cli/main.cpp to wire to its flags. Each opens DIR's rungs.db read-only (a campaign may be
// writing it meanwhile) and throws std::runtime_error with a message naming the path when
// DIR holds no campaign or a file cannot be written; they print nothing on success except
// what they are for.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "report/export.hpp"
#include "report/status.hpp"

namespace rungs::report {

// `rungs status DIR [--all] [--json]`: the status tables (or, with options.json, one JSON
// object, report/status_json.hpp) on `out`.
void status_command(const std::filesystem::path& directory, const StatusOptions& options, std::FILE* out = stdout);
void print_status_once(const CampaignSnapshot& snapshot, const StatusOptions& options, std::FILE* out);

// `rungs status DIR --watch [SECS]`: the status again every `seconds` until the campaign's
// state is no longer running (it finished or failed, or nothing writes it any more; shown
// once more then), or until SIGINT/SIGTERM (Ctrl-C: the handlers it had are put back after).
// On a terminal each refresh replaces the last; in a pipe they follow each other (JSON: one
// object per line).
void watch_status(const std::filesystem::path& directory, const StatusOptions& options, double seconds,
                  std::FILE* out = stdout);

// `rungs report DIR [-o FILE]`: writes the HTML report, by default DIR/report.html; returns
// the file written.
std::filesystem::path report_command(const std::filesystem::path& directory,
                                     const std::optional<std::filesystem::path>& output = std::nullopt);

// `rungs report DIR --watch [SECS]`: writes the report every `seconds` while `is_running()`
// says the campaign runs (cli: campaign::CampaignLock::held), each file made to reload itself
// after `seconds` (report_data.hpp, refresh_seconds), then once more when it no longer runs,
// that last file without the reload; also stops, after that last write, on SIGINT/SIGTERM.
// Each write is atomic (a browser reloading never reads half a file). `on_write(file, last)`
// is called after every write. Returns the file.
std::filesystem::path watch_report(const std::filesystem::path& directory, const std::optional<std::filesystem::path>& output,
                                   double seconds, const std::function<bool()>& is_running,
                                   const std::function<void(const std::filesystem::path&, bool last)>& on_write = {});

// `rungs export DIR [--format csv|json] [-o OUTDIR]`: writes trials, runs, reports and
// warnings (and, as JSON, campaign.json) into OUTDIR, by default DIR/export; returns the files
// written. `format` is "csv" or "json" (std::invalid_argument otherwise).
std::vector<std::filesystem::path> export_command(const std::filesystem::path& directory, const std::string& format = "csv",
                                                  const std::optional<std::filesystem::path>& output = std::nullopt);

}  // namespace rungs::report
