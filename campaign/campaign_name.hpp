#pragma once
// A campaign's name becomes a directory name (runs/NAME-TIMESTAMP) and is printed on
// terminals, so it must be one safe path component: `name: ../../x` or an absolute name had
// written results outside runs/, and control characters reached the terminal.
//
// Safe: 1 to 100 characters from [A-Za-z0-9._-], starting with a letter or a digit (so
// never ".", "..", a hidden name or an option-like "-x").
#include <optional>
#include <string>

namespace rungs::campaign {

// Why `name` is not a safe campaign name, or nullopt when it is.
std::optional<std::string> campaign_name_problem(const std::string& name);

// A name the user did not choose (the campaign file's stem): unsafe characters become '_',
// so `my campaign.yaml` runs as `my_campaign`.
std::string safe_campaign_name(const std::string& stem);

}  // namespace rungs::campaign
