#pragma once
// A rung's results kept in rank order, so that ASHA's questions cost O(log n) instead of a
// sort of the whole rung per question (at 10,000 trials, sorting rung 0 on every new result
// and every report made the scheduler quadratic).
//
// The order is rank_results' total order (promotion.hpp): promotable results by (value, trial
// id), then the others by id. Two questions are asked of it:
//  - rank(trial): how many results rank before the trial's; the trial is among the top k
//    (select_promotions(results, k)) iff its result is promotable and rank < k;
//  - best_unpromoted(k): ASHA's candidate, the best result not promoted yet if it is among
//    the top k. All results ranked before the best unpromoted one are promoted, so it is in
//    the top k iff its rank is below k: one order-statistics lookup.
// With several objectives the order is not a key (a new result can move others between
// fronts): the rung then keeps its results and re-ranks them with rank_results when asked
// after a change, O(n^2) per re-rank (a rung of a few hundred trials).
// Backed by libstdc++'s policy-based red-black tree with order statistics (GNU extension).
#include <cstddef>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>

#include "scheduler/promotion.hpp"

namespace rungs::scheduler {

class RankedRung {
 public:
  // Throws std::invalid_argument when the trial is in the rung already.
  void add(const RungResult& result);
  // Marks a trial of the rung as promoted. Throws std::out_of_range for a trial not in it.
  void promote(TrialId trial);

  std::size_t size() const { return keys_.size(); }
  // Results ranked before `trial`'s. Throws std::out_of_range for a trial not in the rung.
  std::size_t rank(TrialId trial) const;
  // True iff `trial` is among select_promotions(results, k).
  bool in_top(TrialId trial, std::size_t k) const;
  // The best result not promoted yet, if it is promotable and among the top k.
  std::optional<TrialId> best_unpromoted(std::size_t k) const;

 private:
  // (0 for promotable, else 1; violation; value, or 0 when not promotable; trial id)
  using Key = std::tuple<int, double, double, TrialId>;
  using OrderedKeys = __gnu_pbds::tree<Key, __gnu_pbds::null_type, std::less<Key>, __gnu_pbds::rb_tree_tag,
                                       __gnu_pbds::tree_order_statistics_node_update>;
  static Key key_of(const RungResult& result);

  OrderedKeys all_;
  std::set<Key> unpromoted_;
  std::unordered_map<TrialId, Key> keys_;

  // Several objectives: every result, and their order (rank_results) when not stale.
  const std::vector<TrialId>& order() const;
  bool several_ = false;
  std::vector<RungResult> results_;
  std::unordered_map<TrialId, bool> promoted_;
  mutable std::vector<TrialId> order_;
  mutable std::unordered_map<TrialId, std::size_t> position_;
  mutable bool stale_ = true;
};

}  // namespace rungs::scheduler
