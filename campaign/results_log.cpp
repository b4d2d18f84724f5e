#include "campaign/results_log.hpp"

#include <stdexcept>

namespace rungs::campaign {

namespace {
std::ofstream open_append(const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::app);
  if (!out) throw std::runtime_error("cannot write " + path.string());
  return out;
}
}  // namespace

ResultsLog::ResultsLog(const std::filesystem::path& output_dir)
    : directory_(output_dir),
      reports_((std::filesystem::create_directories(output_dir), open_append(output_dir / "reports.jsonl"))),
      runs_(open_append(output_dir / "runs.jsonl")),
      warnings_(open_append(output_dir / "warnings.log")) {}

void ResultsLog::write(std::ofstream& out, const nlohmann::json& row) {
  // Non-finite doubles become null in JSON (nlohmann's choice), which pandas reads as NaN.
  out << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  out.flush();
}

void ResultsLog::trials(const nlohmann::json& rows) {
  const auto path = directory_ / "trials.jsonl";
  const auto temporary = directory_ / "trials.jsonl.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    for (const auto& row : rows) write(out, row);
  }
  std::filesystem::rename(temporary, path);  // atomic: readers never see half a file
}

void ResultsLog::warn(const std::string& message) {
  warnings_ << message << '\n';
  warnings_.flush();
}

}  // namespace rungs::campaign
