#pragma once
// What rungs refuses in any campaign YAML file before it reads a single key, so that a file
// is either read as its author meant it or refused with file:line:col and the key:
//  - larger than kMaxCampaignFileBytes: refused before it is read (a 50 MB file took 2.4 GB of
//    memory and 94 s to parse);
//  - not a regular file (a directory, a FIFO);
//  - a NUL byte or a byte sequence that is not UTF-8 (YAML 1.2 text is Unicode; yaml-cpp
//    would read it as something else silently);
//  - more than one document (`---`): rungs reads one, a second one would be ignored;
//  - a mapping key that is not a plain scalar (`? [a, b]: 1`, `{a: 1}: 2`);
//  - the same key twice in one mapping: yaml-cpp keeps both and lookups find the first, so a
//    repeated key would be ignored silently; both lines are named.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace rungs::campaign {

inline constexpr std::size_t kMaxCampaignFileBytes = std::size_t{1} << 20;  // 1 MiB

// Throws ConfigError naming `file` when it cannot be a campaign file (missing, not a
// regular file, over the size limit).
void check_campaign_file(const std::filesystem::path& file);

// Throws ConfigError at the first NUL byte or invalid UTF-8 sequence, or when the text is
// over the size limit.
void check_campaign_text(std::string_view text, const std::string& file_name);

// Parses exactly one YAML document and checks its keys (scalar, no duplicates); throws
// ConfigError with the position of the problem (syntax errors included).
YAML::Node load_one_document(const std::string& text, const std::string& file_name);

}  // namespace rungs::campaign
