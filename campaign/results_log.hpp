#pragma once
// The campaign's results on disk, as JSON lines a user can load with pandas or jq:
//   reports.jsonl  one row per report a trial printed
//   runs.jsonl     one row per run (a trial at one budget), with how it ended
//   trials.jsonl   one row per trial, written when the campaign ends
//   warnings.log   malformed report lines and other problems, naming trial and line
// Rows are flushed as they are written, so a crash loses at most the row being written.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

namespace rungs::campaign {

class ResultsLog {
 public:
  explicit ResultsLog(const std::filesystem::path& output_dir);

  void report(const nlohmann::json& row) { write(reports_, row); }
  void run(const nlohmann::json& row) { write(runs_, row); }
  void trials(const nlohmann::json& rows);  // a JSON array; replaces trials.jsonl
  void warn(const std::string& message);

  const std::filesystem::path& directory() const { return directory_; }

 private:
  static void write(std::ofstream& out, const nlohmann::json& row);
  std::filesystem::path directory_;
  std::ofstream reports_;
  std::ofstream runs_;
  std::ofstream warnings_;
};

}  // namespace rungs::campaign
