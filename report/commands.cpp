#include "report/commands.hpp"

#include "store/store.hpp"
#include "report/html_report.hpp"

namespace rungs::report {

namespace {

store::CampaignStore open_read_only(const std::filesystem::path& directory) {
  return store::CampaignStore::open(directory, /*read_only=*/true);
}

}  // namespace

void status_command(const std::filesystem::path& directory, const StatusOptions& options, std::FILE* out) {
  print_status_once(load_snapshot(open_read_only(directory)), options, out);
}

std::filesystem::path report_command(const std::filesystem::path& directory,
                                     const std::optional<std::filesystem::path>& output) {
  const auto store = open_read_only(directory);
  const auto file = output.value_or(directory / "report.html");
  write_html_report(store, file);
  return file;
}

std::vector<std::filesystem::path> export_command(const std::filesystem::path& directory, const std::string& format,
                                                  const std::optional<std::filesystem::path>& output) {
  const auto parsed = export_format_from(format);  // before opening anything: a typo fails fast
  const auto store = open_read_only(directory);
  return export_tables(store, parsed, output.value_or(directory / "export"));
}

}  // namespace rungs::report
