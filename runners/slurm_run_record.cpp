#include "runners/slurm_run_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace rungs::runners {

std::optional<SlurmRunRecord> read_slurm_record(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("name") || !json["name"].is_string()) return std::nullopt;
  SlurmRunRecord record;
  record.name = json["name"].get<std::string>();
  for (const auto& job : json.value("jobs", nlohmann::json::array()))
    if (job.is_string()) record.jobs.push_back(job.get<std::string>());
  record.submitting = json.value("submitting", false);
  record.resubmits = json.value("resubmits", std::size_t{0});
  record.collected = json.value("collected", false);
  return record;
}

void write_slurm_record(const std::filesystem::path& path, const SlurmRunRecord& record) {
  const nlohmann::json json = {{"name", record.name},
                               {"jobs", record.jobs},
                               {"submitting", record.submitting},
                               {"resubmits", record.resubmits},
                               {"collected", record.collected}};
  const std::string text = json.dump() + "\n";
  const auto tmp = path.string() + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err ? err : errno)));
}

}  // namespace rungs::runners
