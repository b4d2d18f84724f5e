// downsample-trainer: the trial program of the custom-dimension example.
//
// Trains the quickstart's one-hidden-layer MLP (../01_quickstart/mlp.hpp) on the digits data
// shrunk to --resolution x --resolution pixels (averages of factor x factor blocks of the
// native 8x8 image, factor = 8 / resolution) for --epochs epochs, and reports after every epoch:
//   @rungs {"step":<epoch>,"val_loss":..,"val_acc":..,"resolution":<px>,"factor":<f>}
//
// The resolution arrives twice on purpose, to show both routes a custom dimension takes:
// the {resolution} placeholder in argv and RUNGS_BUDGET_RESOLUTION / RUNGS_DOWNSAMPLE_FACTOR
// in the environment (set by the downsample plugin). The trainer refuses to run (exit 2) when
// they disagree. No checkpoint: a larger image changes the input layer, so every promotion of
// this campaign reruns from scratch (RUNGS_RESUME=0), as the campaign's ladder says.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <rungs_trial.hpp>

#include "data.hpp"
#include "mlp.hpp"

namespace {

using namespace quickstart;

constexpr int kNative = 8;

// Averages factor x factor blocks: an n x 64 matrix of 8x8 images -> n x (8/f)^2.
RowMatrix downsample(const RowMatrix& x, int factor) {
  const int side = kNative / factor;
  RowMatrix out = RowMatrix::Zero(x.rows(), side * side);
  for (Eigen::Index row = 0; row < x.rows(); ++row)
    for (int r = 0; r < kNative; ++r)
      for (int c = 0; c < kNative; ++c)
        out(row, (r / factor) * side + c / factor) += x(row, r * kNative + c) / (factor * factor);
  return out;
}

// The integer in environment variable `name`, or -1 when it is not set.
int env_int(const char* name) {
  const char* text = std::getenv(name);
  return text == nullptr ? -1 : std::atoi(text);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"downsample-trainer: MLP on downsampled digits, a rungs trial"};
  std::string data;
  int epochs = 10, resolution = kNative, hidden = 32;
  double lr = 0.01;
  std::uint64_t seed = 0;
  app.add_option("--data", data, "digits.csv.gz")->required();
  app.add_option("--epochs", epochs)->check(CLI::Range(1, 100000));
  app.add_option("--resolution", resolution, "image side in pixels, divides 8")->check(CLI::IsMember({1, 2, 4, 8}));
  app.add_option("--lr", lr)->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden)->check(CLI::Range(1, 4096));
  app.add_option("--seed", seed);
  CLI11_PARSE(app, argc, argv);

  const int factor = kNative / resolution;
  const int env_side = env_int("RUNGS_BUDGET_RESOLUTION");
  const int env_factor = env_int("RUNGS_DOWNSAMPLE_FACTOR");
  if ((env_side != -1 && env_side != resolution) || (env_factor != -1 && env_factor != factor)) {
    std::fprintf(stderr, "argv says %d px (factor %d), the environment %d px (factor %d)\n", resolution, factor,
                 env_side, env_factor);
    return 2;
  }

  try {
    Split split = split_digits(load_digits(data));
    split.train.x = downsample(split.train.x, factor);
    split.validation.x = downsample(split.validation.x, factor);
    const int inputs = resolution * resolution;

    Mlp model(inputs, hidden, n_classes, Activation::relu);
    model.init(seed);
    OptimizerSettings settings;
    settings.kind = OptimizerKind::adam;
    settings.lr = lr;
    OptimizerState state;
    state.reset(model.n_params());
    const Eigen::VectorXd decay_mask = model.decay_mask();
    Eigen::VectorXd grad(model.n_params());

    std::vector<Eigen::Index> order(static_cast<std::size_t>(split.train.rows()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    std::mt19937_64 engine(splitmix64(seed));
    constexpr std::size_t batch = 32;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      shuffle_indices(order, engine);
      for (std::size_t first = 0; first < order.size(); first += batch) {
        const std::vector<Eigen::Index> rows(order.begin() + static_cast<std::ptrdiff_t>(first),
                                             order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), first + batch)));
        const Dataset part = take_rows(split.train, rows);
        model.loss_and_gradient(part.x, part.labels, grad);
        optimizer_step(settings, model.theta(), grad, decay_mask, state);
      }
      const Evaluation val = model.evaluate(split.validation);
      rungs::trial::report(epoch, {{"val_loss", val.loss}, {"val_acc", val.accuracy},
                                   {"resolution", static_cast<double>(resolution)},
                                   {"factor", static_cast<double>(factor)}});
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "downsample-trainer: %s\n", e.what());
    return 2;
  }
  return 0;
}
