// The campaign's limits (campaign_bounds.hpp) in the loop, and its growth (campaign_growth.hpp).
//
// cost and trials are checked before each launch: a job that would take the charge past
// limits.cost, or a new trial past limits.trials, is held and the campaign launches nothing
// more; the runs out finish. The held job is the scheduler's next one still (it asked for it):
// a grown campaign launches it first. limits.wall is campaign time (the journal's clock:
// recorded time before a resume, virtual in a simulation): when it passes, the runs out are
// stopped as on Ctrl-C, no exit recorded, so a campaign grown later relaunches them from their
// checkpoints.
//
// Replay: limits act on what is recorded, so a resumed campaign holds the same job at the same
// point. Its bounds are the log's (the first growth's `from`, else the spec's) until the log's
// growths (resume events with `grown`) raise them where they were raised; the spec's, when
// larger still, take effect when the replay ends and are recorded in that resume event.
#include <fmt/format.h>

#include "campaign/campaign_growth.hpp"
#include "campaign/dispatcher.hpp"
#include "fidelity/run_cost.hpp"

namespace rungs::campaign {

namespace {

// Charges are sums of doubles: a launch that exactly fills the limit must pass.
constexpr double kSlack = 1e-9;

}  // namespace

std::optional<Dispatcher::Limit> Dispatcher::refusal(const scheduler::Job& job) const {
  const auto& limits = bounds_.limits;
  if (!journal_.replaying() && wall_reached()) return Limit::Wall;
  if (limits.trials && !trials_.trials().count(job.trial) && trials_.trials().size() >= *limits.trials)
    return Limit::Trials;
  if (limits.cost) {
    const double charge = fidelity::run_cost(spec_.ladder, job.budget, job.resume_from);
    if (budget_used_ + charge > *limits.cost * (1 + kSlack)) return Limit::Cost;
  }
  return std::nullopt;
}

void Dispatcher::charge_trained(ActiveRun& run) {
  if (run.retrained || !run.last_step) return;
  const double trained = fidelity::trained_cost(spec_.ladder, run.job.budget, run.job.resume_from, *run.last_step);
  if (!(trained < run.charged)) return;
  budget_used_ -= run.charged - trained;
  run.charged = trained;
  run.charged_trained = true;
}

bool Dispatcher::wall_reached() const { return bounds_.limits.wall && now() >= *bounds_.limits.wall; }

void Dispatcher::check_wall() {
  if (interrupted_ || finished_ || journal_.replaying() || !wall_reached()) return;
  limit_reached_ = Limit::Wall;
  interrupted_ = true;
  warn({}, {}, fmt::format("{}: stopping {} running trial{} (raise limits.wall and resume to relaunch them)",
                           limit_note(), active_.size(), active_.size() == 1 ? "" : "s"));
  processes_.stop_all();
  maybe_finish();
}

nlohmann::json Dispatcher::grow_to_spec() {
  const auto wanted = bounds_of(spec_);
  // The log is the truth: a spec that does not grow it (its YAML was recorded before the
  // growth's resume event, then rungs stopped) leaves the bounds as the log has them.
  if (wanted == bounds_ || shrink_of(bounds_, wanted)) return nullptr;
  nlohmann::json grown = {{"from", to_json(bounds_)}, {"to", to_json(wanted)}};
  grow(wanted);
  return grown;
}

void Dispatcher::replay_growth(const store::Event& event) { grow(bounds_from_json(event.data["grown"]["to"])); }

void Dispatcher::grow(const CampaignBounds& bounds) {
  CampaignSpec grown = spec_;
  set_bounds(grown, bounds);
  grow_scheduler(scheduler_, grown);
  bounds_ = bounds;
  limit_reached_.reset();  // held_ stays: it is tried first, against the new limits
}

std::string Dispatcher::limit_note() const {
  if (!limit_reached_) return "";
  const auto& limits = bounds_.limits;
  switch (*limit_reached_) {
    case Limit::Cost: return fmt::format("cost limit {:g} reached: {:.6g} charged", *limits.cost, budget_used_);
    case Limit::Trials: return fmt::format("trial limit {} reached", *limits.trials);
    case Limit::Wall: return fmt::format("wall limit {} reached", describe_wall(*limits.wall));
  }
  return "";
}

}  // namespace rungs::campaign
