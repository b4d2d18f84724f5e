#pragma once
// The two bracket schedulers:
//
//  - Hyperband (Li et al., JMLR 2018, Algorithm 1): one iteration runs every bracket
//    s = s_max, s_max-1, ..., 0 of hyperband_brackets(eta, ladder.level_costs())
//    (hyperband_schedule.hpp: each bracket spends about (s_max+1) full runs' cost; the
//    paper's table when the level costs are the budget units, as for a C++ ladder's default
//    cost model or epochs as the only dimension), eta = ladder.eta(); `iterations` repeats
//    that outer loop. Bracket number b (Job::bracket) runs s = s_max - (b mod (s_max+1)).
//  - SuccessiveHalving (Jamieson & Talwalkar, AISTATS 2016): one bracket s, by default the
//    most aggressive s = s_max (n = eta^s_max configurations from level 0, e.g. 81 27 9 3 1),
//    with the paper's Hyperband n for that s unless initial_configs says otherwise (one
//    bracket has no other bracket to balance its cost against, so level costs do not size
//    it); `iterations` repeats it (bracket number b = repetition b).
//
// Both are BracketScheduler (bracket_scheduler.hpp): synchronous stages, promotion by
// select_promotions unless another rule is given, and the next bracket opens while the
// current one waits unless overlap_brackets is false. Configuration errors throw
// std::invalid_argument at construction with the bad value in the message.
#include <cstddef>
#include <memory>
#include <optional>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/bracket_scheduler.hpp"
#include "scheduler/promotion.hpp"

namespace rungs::scheduler {

struct HyperbandOptions {
  std::size_t iterations = 1;     // how many times to run all s_max + 1 brackets (>= 1)
  bool overlap_brackets = true;   // open the next bracket while the open ones wait
  PromotionRule promotion = select_promotions;
};

class Hyperband : public BracketScheduler {
 public:
  Hyperband(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
            HyperbandOptions options = {});
};

struct SuccessiveHalvingOptions {
  std::optional<std::size_t> bracket = std::nullopt;          // s in 0..s_max; default s_max
  std::optional<std::size_t> initial_configs = std::nullopt;  // n0; default Hyperband's ceil((s_max+1)/(s+1) eta^s)
  std::size_t iterations = 1;                  // repetitions of the bracket (>= 1)
  bool overlap_brackets = true;
  PromotionRule promotion = select_promotions;
};

class SuccessiveHalving : public BracketScheduler {
 public:
  SuccessiveHalving(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                    SuccessiveHalvingOptions options = {});

  const BracketPlan& plan() const { return plan_; }

 private:
  BracketPlan plan_;
};

}  // namespace rungs::scheduler
