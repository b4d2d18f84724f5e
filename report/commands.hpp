#pragma once
// The `rungs status`, `rungs report` and `rungs export` commands as plain functions, for
// cli/main.cpp to wire to its flags. Each opens DIR's rungs.db read-only (a campaign may be
// writing it meanwhile) and throws std::runtime_error with a message naming the path when
// DIR holds no campaign or a file cannot be written; they print nothing on success except
// what they are for.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/export.hpp"
#include "report/status.hpp"

namespace rungs::report {

// `rungs status DIR [--all]`: the status tables on `out`.
void status_command(const std::filesystem::path& directory, const StatusOptions& options, std::FILE* out = stdout);

// `rungs report DIR [-o FILE]`: writes the HTML report, by default DIR/report.html; returns
// the file written.
std::filesystem::path report_command(const std::filesystem::path& directory,
                                     const std::optional<std::filesystem::path>& output = std::nullopt);

// `rungs export DIR [--format csv|json] [-o OUTDIR]`: writes trials, runs, reports and
// warnings (and, as JSON, campaign.json) into OUTDIR, by default DIR/export; returns the files
// written. `format` is "csv" or "json" (std::invalid_argument otherwise).
std::vector<std::filesystem::path> export_command(const std::filesystem::path& directory, const std::string& format = "csv",
                                                  const std::optional<std::filesystem::path>& output = std::nullopt);

}  // namespace rungs::report
