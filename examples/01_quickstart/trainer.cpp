// quickstart-trainer: the trial program of the quickstart campaign.
//
// Trains a one-hidden-layer MLP (mlp.hpp) on the digits data (data.hpp) up to --epochs
// epochs on a --data-fraction of the training split, and reports after every epoch:
//   @rungs {"step":<epoch>,"val_loss":..,"val_acc":..,"params":..,"train_loss":..}
// (params: the model's weight count, for a model-size constraint or objective: examples 08, 09)
// After every epoch it saves checkpoint.bin (checkpoint.hpp) in the working directory, which
// rungs makes the trial directory. When rungs promotes the trial it relaunches it there with
// more epochs and RUNGS_RESUME=1: training continues at epoch (epochs done + 1), the step
// numbers continue, and a changed data fraction keeps the weights (warm start).
// Population-based training (examples/07_pbt): rungs copies another trial's checkpoint.bin
// into a new trial's directory and launches it with RUNGS_RESUME=1, RUNGS_INHERITED_FROM and
// the explored hyperparameters on the command line. The trainer loads those weights (and the
// optimizer's moments) and trains on with the new flags: the learning rate, momentum and weight
// decay in force are always the command line's, never the checkpoint's, so they change
// mid-training from one run to the next.
//
// Divergence: a non-finite loss, or a mean loss above --max-loss (default 100 nats; a uniform
// guess scores ln 10 = 2.3). The log-sum-exp softmax keeps the loss finite even when a too
// high learning rate blows the weights up (measured: sgd lr 50 gives ~3000 in epoch 1, then
// dead ReLUs at chance level), so NaN alone would miss most divergent runs. A diverged epoch
// is reported with null losses (the protocol's "no finite value", ranked worst), measured
// val_acc, and no checkpoint; then the trainer exits 1 instead of burning its budget.
//
// Exit status: 0 trained (or nothing left to train), 1 diverged, 2 bad data or checkpoint
// I/O error; CLI11's own codes for bad flags.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <rungs_trial.hpp>

#include "checkpoint.hpp"
#include "data.hpp"
#include "mlp.hpp"

namespace {

using namespace quickstart;

struct Options {
  std::string data;
  double epochs = 20;  // parsed as numbers: rungs may substitute an integer budget as "9.0"
  double data_fraction = 1.0;
  OptimizerSettings optimizer;
  std::string optimizer_name = "adam";
  std::string activation = "relu";
  double hidden = 64;
  double batch_size = 32;
  std::uint64_t seed = 0;
  double max_loss = 100;
  std::string checkpoint = "checkpoint.bin";
  bool force_resume = false;
};

int whole(double value, const char* flag) {
  if (!(value >= 1) || value > 1e9 || std::abs(value - std::round(value)) > 1e-9) {
    throw CLI::ValidationError(flag, "must be a whole number >= 1, got " + std::to_string(value));
  }
  return static_cast<int>(std::lround(value));
}

void positive(double value, const char* flag) {
  if (!(value > 0) || !std::isfinite(value)) {
    throw CLI::ValidationError(flag, "must be a finite number > 0, got " + std::to_string(value));
  }
}

// Maps the epoch number to its own shuffle, so a resumed run sees exactly the batches a
// run without interruption would have seen (no RNG state needs to be checkpointed).
std::vector<Eigen::Index> epoch_order(Eigen::Index n, std::uint64_t seed, int epoch) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::mt19937_64 engine(splitmix64(splitmix64(seed) + static_cast<std::uint64_t>(epoch)));
  shuffle_indices(order, engine);
  return order;
}

struct Resumed {
  int epochs_done = 0;
};

// Loads the checkpoint into model/state when it fits this configuration. Anything unusable
// (missing, corrupt, other architecture) means training from scratch: the protocol's answer
// for a trial that cannot resume.
std::optional<Resumed> try_resume(const Options& o, Mlp& model, OptimizerState& state) {
  std::optional<Checkpoint> c;
  try {
    c = load_checkpoint(o.checkpoint);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cannot resume from %s (%s): training from scratch\n",
                 o.checkpoint.c_str(), e.what());
    return std::nullopt;
  }
  if (!c) {
    std::fprintf(stderr, "no checkpoint %s: training from scratch\n", o.checkpoint.c_str());
    return std::nullopt;
  }
  if (c->inputs != n_features || c->outputs != n_classes ||
      c->hidden != static_cast<std::uint32_t>(model.hidden()) ||
      c->activation != model.activation() || c->theta.size() != model.n_params()) {
    std::fprintf(stderr, "checkpoint is for another architecture: training from scratch\n");
    return std::nullopt;
  }
  model.theta() = c->theta;
  if (c->optimizer == o.optimizer.kind) {
    state = c->state;
  } else {
    std::fprintf(stderr, "checkpoint used another optimizer: keeping weights, new state\n");
    state.reset(model.n_params());
  }
  if (c->data_fraction != o.data_fraction) {
    std::fprintf(stderr, "data fraction %.4g -> %.4g: warm start from the weights\n",
                 c->data_fraction, o.data_fraction);
  }
  std::fprintf(stderr, "resuming after epoch %llu\n",
               static_cast<unsigned long long>(c->epochs_done));
  return Resumed{static_cast<int>(c->epochs_done)};
}

int train(const Options& o, int epochs, int hidden, int batch_size) {
  const Split split = split_digits(load_digits(o.data));
  const Eigen::Index n_used = fraction_rows(split.train.rows(), o.data_fraction);
  std::fprintf(stderr, "train rows %td of %td, validation rows %td\n", n_used,
               split.train.rows(), split.validation.rows());

  Mlp model(n_features, hidden, n_classes,
            o.activation == "tanh" ? Activation::tanh : Activation::relu);
  OptimizerState state;
  int done = 0;
  std::optional<Resumed> resumed;
  if (rungs::trial::resume() || o.force_resume) resumed = try_resume(o, model, state);
  if (resumed) {
    done = resumed->epochs_done;
    if (const auto donor = rungs::trial::inherited_from())
      std::fprintf(stderr, "continuing trial %s's weights after epoch %d with lr %g (population-based training)\n",
                   donor->c_str(), done, o.optimizer.lr);
    if (rungs::trial::relaunched() && done < epochs) {
      // The process before this one may have died between its checkpoint and its report:
      // report the checkpoint's step again (rungs drops it if it has it).
      const Evaluation val = model.evaluate(split.validation);
      rungs::trial::report(done, {{"val_loss", val.loss}, {"val_acc", val.accuracy}, {"params", static_cast<double>(model.n_params())},
                                  {"train_loss", std::numeric_limits<double>::quiet_NaN()}});
    }
  } else {
    model.init(o.seed);
    state.reset(model.n_params());
  }

  if (done >= epochs) {
    // Nothing left to train (relaunched with a budget already reached): report the current
    // model once so this budget still gets its value, with the fields of a training epoch's
    // report (no train_loss without training: null), so rungs sees the same report again.
    const Evaluation val = model.evaluate(split.validation);
    rungs::trial::report(done, {{"val_loss", val.loss}, {"val_acc", val.accuracy}, {"params", static_cast<double>(model.n_params())},
                                {"train_loss", std::numeric_limits<double>::quiet_NaN()}});
    return 0;
  }

  const Eigen::VectorXd decay_mask = model.decay_mask();
  Eigen::VectorXd grad(model.n_params());
  for (int epoch = done + 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<Eigen::Index> order = epoch_order(n_used, o.seed, epoch);
    double loss_sum = 0;
    bool diverged = false;
    for (std::size_t first = 0; first < order.size(); first += std::size_t(batch_size)) {
      const std::size_t last = std::min(order.size(), first + std::size_t(batch_size));
      const std::vector<Eigen::Index> rows(order.begin() + std::ptrdiff_t(first),
                                           order.begin() + std::ptrdiff_t(last));
      const Dataset batch = take_rows(split.train, rows);
      const double loss = model.loss_and_gradient(batch.x, batch.labels, grad);
      // Stop at the first non-finite loss: the weights are lost, more updates only burn time.
      if (!std::isfinite(loss)) {
        diverged = true;
        break;
      }
      loss_sum += loss * double(rows.size());
      optimizer_step(o.optimizer, model.theta(), grad, decay_mask, state);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double train_loss = diverged ? nan : loss_sum / double(n_used);
    Evaluation val = model.evaluate(split.validation);
    // !(x <= max) is also true for NaN.
    diverged = diverged || !(train_loss <= o.max_loss) || !(val.loss <= o.max_loss);
    if (diverged) {
      std::fprintf(stderr, "diverged at epoch %d: train_loss %g val_loss %g (max %g; lr too high?)\n",
                   epoch, train_loss, val.loss, o.max_loss);
      train_loss = val.loss = nan;  // reported as null
    }

    // Checkpoint before reporting: rungs may stop or pause the trial as soon as it reads the
    // report, and the checkpoint for this step must already be there when it does.
    if (!diverged) {
      save_checkpoint(o.checkpoint, {n_features, static_cast<std::uint32_t>(hidden), n_classes,
                                     model.activation(), o.optimizer.kind,
                                     static_cast<std::uint64_t>(epoch), o.data_fraction,
                                     model.theta(), state});
    }
    rungs::trial::report(epoch, {{"val_loss", val.loss}, {"val_acc", val.accuracy}, {"params", static_cast<double>(model.n_params())},
                                 {"train_loss", train_loss}});
    const double ms = std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "epoch %d/%d train_loss %.4f val_loss %.4f val_acc %.4f (%.2f ms)\n",
                 epoch, epochs, train_loss, val.loss, val.accuracy, ms);
    if (diverged) return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"quickstart-trainer: one-hidden-layer MLP on the digits data, a rungs trial"};
  Options o;
  app.add_option("--data", o.data, "digits.csv.gz (64 pixel values 0-16, then the label)")
      ->required();
  app.add_option("--epochs", o.epochs, "total epochs to reach (a resumed run continues)")
      ->type_name("INT")->capture_default_str();
  app.add_option("--data-fraction", o.data_fraction, "share of the training split used")
      ->check(CLI::Range(1e-6, 1.0))->capture_default_str();
  app.add_option("--lr", o.optimizer.lr, "learning rate")->capture_default_str();
  app.add_option("--optimizer", o.optimizer_name)
      ->check(CLI::IsMember({"sgd", "adam"}))->capture_default_str();
  app.add_option("--momentum", o.optimizer.momentum, "sgd momentum")
      ->check(CLI::Range(0.0, 0.999999))->capture_default_str();
  app.add_option("--beta1", o.optimizer.beta1, "adam first-moment decay")
      ->check(CLI::Range(0.0, 0.999999))->capture_default_str();
  app.add_option("--beta2", o.optimizer.beta2, "adam second-moment decay")
      ->check(CLI::Range(0.0, 0.999999999))->capture_default_str();
  app.add_option("--hidden", o.hidden, "hidden units")->type_name("INT")->capture_default_str();
  app.add_option("--activation", o.activation)
      ->check(CLI::IsMember({"relu", "tanh"}))->capture_default_str();
  app.add_option("--batch-size", o.batch_size)->type_name("INT")->capture_default_str();
  app.add_option("--weight-decay", o.optimizer.weight_decay, "L2 penalty on the weights")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  app.add_option("--seed", o.seed, "initialisation and batch order (not the split)")
      ->capture_default_str();
  app.add_option("--max-loss", o.max_loss, "a mean loss above this counts as diverged")
      ->capture_default_str();
  app.add_option("--checkpoint", o.checkpoint, "checkpoint file, relative to the working dir")
      ->capture_default_str();
  app.add_flag("--resume", o.force_resume, "resume even without RUNGS_RESUME=1");

  int epochs = 0, hidden = 0, batch_size = 0;
  try {
    app.parse(argc, argv);
    epochs = whole(o.epochs, "--epochs");
    hidden = whole(o.hidden, "--hidden");
    batch_size = whole(o.batch_size, "--batch-size");
    positive(o.optimizer.lr, "--lr");
    positive(o.max_loss, "--max-loss");
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  o.optimizer.kind = o.optimizer_name == "sgd" ? OptimizerKind::sgd : OptimizerKind::adam;

  try {
    return train(o, epochs, hidden, batch_size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quickstart-trainer: %s\n", e.what());
    return 2;
  }
}
