#include "report/importance.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

namespace rungs::report {

namespace {

// Average ranks (1-based) of `values`, ties sharing the mean of their ranks.
std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> out(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i + j) / 2.0) + 1.0;
    for (std::size_t k = i; k <= j; ++k) out[order[k]] = rank;
    i = j + 1;
  }
  return out;
}

// Group of each sample for one parameter: -1 inactive (its own group), otherwise a choice's
// text or a quantile bin of the numeric value.
std::vector<long> groups_of(const ImportanceParameter& parameter, const std::vector<ImportanceSample>& samples) {
  std::vector<long> group(samples.size(), -1);
  if (parameter.categorical) {
    std::map<std::string, long> ids;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const auto found = samples[i].params->find(parameter.name);
      if (found == samples[i].params->end()) continue;
      const auto key = found->is_string() ? found->get<std::string>() : found->dump();
      group[i] = ids.try_emplace(key, static_cast<long>(ids.size())).first->second;
    }
    return group;
  }
  std::vector<std::pair<double, std::size_t>> numeric;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto found = samples[i].params->find(parameter.name);
    if (found != samples[i].params->end() && found->is_number()) numeric.emplace_back(found->get<double>(), i);
  }
  std::sort(numeric.begin(), numeric.end());
  // Up to kMaxImportanceBins bins of about equal counts, at least 4 samples each; equal values
  // never straddle a boundary (an int parameter with 3 values makes at most 3 groups).
  const std::size_t bins = std::clamp<std::size_t>(numeric.size() / 4, 1, kMaxImportanceBins);
  long bin = 0;
  for (std::size_t k = 0; k < numeric.size(); ++k) {
    if (k > 0 && numeric[k].first != numeric[k - 1].first &&
        k * bins / numeric.size() > static_cast<std::size_t>(bin))
      bin = static_cast<long>(k * bins / numeric.size());
    group[numeric[k].second] = bin;
  }
  return group;
}

}  // namespace

std::vector<double> parameter_importance(const std::vector<ImportanceParameter>& parameters,
                                         const std::vector<ImportanceSample>& input) {
  std::vector<ImportanceSample> samples;
  for (const auto& sample : input)
    if (std::isfinite(sample.value) && sample.params && sample.params->is_object()) samples.push_back(sample);
  if (samples.size() < kMinImportanceSamples) return {};
  std::vector<double> values;
  for (const auto& sample : samples) values.push_back(sample.value);
  const auto y = ranks(values);
  const double n = static_cast<double>(y.size());
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double total = 0;
  for (const double v : y) total += (v - mean) * (v - mean);

  std::vector<double> importance;
  for (const auto& parameter : parameters) {
    if (total <= 0) {
      importance.push_back(0);
      continue;
    }
    const auto group = groups_of(parameter, samples);
    std::map<long, std::pair<double, double>> sums;  // group -> (count, sum)
    for (std::size_t i = 0; i < y.size(); ++i) {
      auto& [count, sum] = sums[group[i]];
      count += 1;
      sum += y[i];
    }
    double between = 0;
    for (const auto& [id, cs] : sums) between += cs.first * std::pow(cs.second / cs.first - mean, 2);
    const double k = static_cast<double>(sums.size());
    const double within = total - between;
    const double epsilon2 = k > 1 && n > k ? (between - (k - 1) * within / (n - k)) / total : 0.0;
    importance.push_back(std::clamp(epsilon2, 0.0, 1.0));
  }
  return importance;
}

}  // namespace rungs::report
