#include "campaign/yaml_strict.hpp"

#include <fmt/format.h>

#include <map>
#include <system_error>

#include "campaign/config_error.hpp"
#include "text/utf8.hpp"

namespace rungs::campaign {

namespace {

namespace fs = std::filesystem;

// 1-based line and column of byte `offset` (columns count bytes).
Location location_of(std::string_view text, std::size_t offset, const std::string& file_name) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') ++line, column = 1;
    else ++column;
  }
  return {file_name, line, column};
}

Location location_of(const YAML::Node& node, const std::string& file_name) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file_name, 0, 0};
  return {file_name, mark.line + 1, mark.column + 1};
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

void check_keys(const YAML::Node& node, const std::string& path, const std::string& file_name) {
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) check_keys(node[i], fmt::format("{}[{}]", path, i), file_name);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> seen;  // key -> line of its first occurrence
  for (const auto& entry : node) {
    if (!entry.first.IsScalar())
      throw ConfigError(location_of(entry.first, file_name), path,
                        "a key must be a plain name, not a list or a mapping");
    const std::string& key = entry.first.Scalar();
    const int line = entry.first.Mark().line + 1;
    if (const auto [first, fresh] = seen.emplace(key, line); !fresh)
      throw ConfigError(location_of(entry.first, file_name), join(path, key),
                        fmt::format("'{}' is given twice (first on line {})", key, first->second));
    check_keys(entry.second, join(path, key), file_name);
  }
}

}  // namespace

void check_campaign_file(const fs::path& file) {
  std::error_code ec;
  const auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) throw ConfigError({file.string(), 0, 0}, "", "no such file");
  if (fs::is_directory(status))
    throw ConfigError({file.string(), 0, 0}, "", "is a directory; give the campaign's YAML file");
  if (!fs::is_regular_file(status)) throw ConfigError({file.string(), 0, 0}, "", "is not a regular file");
  const auto size = fs::file_size(file, ec);
  if (!ec && size > kMaxCampaignFileBytes)
    throw ConfigError({file.string(), 0, 0}, "",
                      fmt::format("the file has {} bytes; a campaign file may have at most {} (1 MiB)", size,
                                  kMaxCampaignFileBytes));
}

void check_campaign_text(std::string_view text, const std::string& file_name) {
  if (text.size() > kMaxCampaignFileBytes)
    throw ConfigError({file_name, 0, 0}, "",
                      fmt::format("the text has {} bytes; a campaign file may have at most {} (1 MiB)", text.size(),
                                  kMaxCampaignFileBytes));
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') throw ConfigError(location_of(text, i, file_name), "", "a NUL byte: not a text file");
    const std::size_t length = text::utf8_sequence_length(text, i);
    if (length == 0)
      throw ConfigError(location_of(text, i, file_name), "",
                        fmt::format("invalid UTF-8 (byte 0x{:02X}): save the file as UTF-8",
                                    static_cast<unsigned char>(text[i])));
    i += length;
  }
}

YAML::Node load_one_document(const std::string& text, const std::string& file_name) {
  check_campaign_text(text, file_name);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    throw ConfigError({file_name, e.mark.line + 1, e.mark.column + 1}, "", "YAML syntax error: " + e.msg);
  }
  if (documents.empty()) throw ConfigError({file_name, 1, 1}, "", "the file is empty: expected a campaign mapping");
  if (documents.size() > 1)
    throw ConfigError(location_of(documents[1], file_name), "",
                      "a second YAML document ('---'): a campaign file holds exactly one");
  check_keys(documents.front(), "", file_name);
  return documents.front();
}

}  // namespace rungs::campaign
