#include "campaign/failure_notes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "text/safe_text.hpp"

namespace rungs::campaign {

namespace {

constexpr std::uintmax_t kTailBytes = 16 * 1024;
constexpr std::size_t kLineBytes = 300;

// The cause with digits set aside: "exited with code 2|File \"/x/trials/0003/a.py\"" and the
// same from trial 0004 are one cause.
std::string cause_key(const std::string& failure, const std::vector<std::string>& tail) {
  std::string key = failure + "\n" + (tail.empty() ? std::string() : tail.back());
  std::string out;
  for (const char c : key)
    if (!std::isdigit(static_cast<unsigned char>(c))) out += c;
    else if (out.empty() || out.back() != '#') out += '#';
  return out;
}

}  // namespace

std::vector<std::string> tail_lines(const std::filesystem::path& file, std::size_t count) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size == 0 || count == 0) return {};
  std::ifstream in(file, std::ios::binary);
  const auto start = size > kTailBytes ? size - kTailBytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string text(static_cast<std::size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  // A first line cut by the 16 KiB window is partial: it goes, unless it is all there is.
  if (start > 0 && text.find('\n') != std::string::npos) text.erase(0, text.find('\n') + 1);
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (end > 0 && lines.size() < count) {
    const auto newline = text.rfind('\n', end - 1);
    const auto begin = newline == std::string::npos ? 0 : newline + 1;
    std::string line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) {
      if (line.size() > kLineBytes) line = line.substr(0, kLineBytes) + "...";
      lines.push_back(text::safe_text(line));
    }
    if (newline == std::string::npos) break;
    end = newline;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

FailureNotes::FailureNotes(std::FILE* out, std::filesystem::path warnings_log)
    : out_(out), warnings_log_(std::move(warnings_log)) {}

void FailureNotes::note(const RunFailure& failure) {
  if (!out_) return;
  const auto stderr_log = failure.trial_dir / "stderr.log";
  const auto tail = tail_lines(stderr_log, kTailLines);
  if (!causes_.insert(cause_key(failure.failure, tail)).second) return;  // said already
  if (causes_.size() > kMaxCauses) {
    if (!said_more_)
      fmt::print(out_, "\nrungs: more trials failed for other reasons; every failure is in {}\n", warnings_log_.string());
    said_more_ = true;
    return;
  }
  std::string text = fmt::format("\ntrial {} (run {}) failed: {}\n", failure.trial, failure.run,
                                 text::safe_text(failure.failure));
  if (tail.empty()) {
    text += fmt::format("  {} is empty\n", stderr_log.string());
  } else {
    text += fmt::format("  last lines of {}:\n", stderr_log.string());
    for (const auto& line : tail) text += "    " + line + "\n";
  }
  fmt::print(out_, "{}", text);
  std::fflush(out_);
}

}  // namespace rungs::campaign
