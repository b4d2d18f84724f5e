// The repeat filter: which reports a run relaunched from a checkpoint prints again.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "campaign/repeat_filter.hpp"

using namespace rungs;

TEST_CASE("repeat filter: steps below the highest and the same step with the same metrics repeat") {
  campaign::RepeatFilter filter;
  const nlohmann::json loss = {{"loss", 0.4}};
  const nlohmann::json loss_and_acc = {{"acc", 0.9}, {"loss", 0.4}};
  CHECK_FALSE(filter.is_repeat(3, loss));
  filter.remember(3, loss);
  CHECK(filter.is_repeat(3, loss));
  CHECK(filter.is_repeat(3, {{"loss", 0.41}}));       // values may differ after a checkpoint
  CHECK_FALSE(filter.is_repeat(3, loss_and_acc));     // an eval line at the same step is new
  CHECK(filter.is_repeat(2, loss_and_acc));           // below the highest step
  CHECK(filter.is_repeat(2.5, loss));
  CHECK_FALSE(filter.is_repeat(4, loss));
  filter.remember(3, loss_and_acc);
  CHECK(filter.is_repeat(3, loss_and_acc));

  // Without a step: only the same metric names repeat, and the highest step stays.
  CHECK_FALSE(filter.is_repeat(nullptr, loss));
  filter.remember(nullptr, loss);
  CHECK(filter.is_repeat(nullptr, loss));
  CHECK_FALSE(filter.is_repeat(nullptr, {{"acc", 1}}));
  CHECK(filter.is_repeat(1, {{"acc", 1}}));

  // Steps out of order: what counts is the highest step recorded.
  filter.remember(5, loss);
  filter.remember(4, loss);
  CHECK(filter.is_repeat(4.5, loss));
  CHECK(filter.is_repeat(5, loss));
  CHECK_FALSE(filter.is_repeat(5, loss_and_acc));

  filter.clear();  // started from scratch: step 1 is new again
  CHECK_FALSE(filter.is_repeat(1, loss));
  CHECK_FALSE(filter.is_repeat(3, loss));
  CHECK_FALSE(filter.is_repeat(nullptr, loss));
}
