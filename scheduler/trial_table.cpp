#include "scheduler/trial_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace rungs::scheduler {

double TrialInfo::value_at(std::size_t ladder_level) const {
  if (ladder_level < first_level || ladder_level - first_level >= values.size())
    return std::numeric_limits<double>::quiet_NaN();
  return values[ladder_level - first_level];
}

TrialId TrialTable::add(space::Config config, std::size_t bracket, std::size_t level) {
  TrialInfo info;
  info.id = static_cast<TrialId>(trials_.size() + 1);
  info.config = std::move(config);
  info.bracket = bracket;
  info.first_level = level;
  info.level = level;
  info.state = TrialState::Running;
  trials_.push_back(std::move(info));
  return trials_.back().id;
}

const TrialInfo& TrialTable::at(TrialId id) const {
  if (!contains(id))
    throw std::out_of_range(fmt::format("unknown trial id {} (this scheduler handed out ids 1..{})", id,
                                        trials_.size()));
  return trials_[id - 1];
}

TrialInfo& TrialTable::at(TrialId id) {
  return const_cast<TrialInfo&>(static_cast<const TrialTable&>(*this).at(id));
}

std::size_t TrialTable::count(TrialState state) const {
  return static_cast<std::size_t>(
      std::count_if(trials_.begin(), trials_.end(), [state](const TrialInfo& t) { return t.state == state; }));
}

}  // namespace rungs::scheduler
