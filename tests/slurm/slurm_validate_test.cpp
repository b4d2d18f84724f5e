// A campaign's runner section checked against the real cluster before anything is submitted:
// `rungs validate` asks Slurm (sbatch --test-only) for each budget level's requests and names
// the YAML line and key of what it refuses.
#include <doctest/doctest.h>

#include <algorithm>

#include "tests/slurm/slurm_commands.hpp"

namespace {

namespace fs = std::filesystem;
using namespace rungs::testing::slurm;

// The quickstart campaign with `runner` appended, in `dir` (its data path is made absolute).
fs::path quickstart_with(const fs::path& dir, const std::string& runner) {
  auto text = read_file(fs::path(RUNGS_SOURCE_DIR) / "examples/01_quickstart/campaign.yaml");
  const std::string data = "{campaign_dir}/data/";
  text.replace(text.find(data), data.size(), std::string(RUNGS_SOURCE_DIR) + "/examples/01_quickstart/data/");
  std::ofstream(dir / "campaign.yaml") << text << runner;
  return dir / "campaign.yaml";
}

int lines_in(const fs::path& file) {
  const auto text = read_file(file);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

TEST_CASE("slurm/validate: requests Slurm accepts pass, a refused one names its line and key") {
  slurm_conf();
  const auto dir = work_dir("validate");
  const auto rungs = std::string(RUNGS_BIN_DIR) + "/rungs";

  const auto good = quickstart_with(dir, "runner:\n  type: slurm\n  partition: debug\n  levels:\n    0: {time: 5m}\n");
  const auto ok = run(rungs, {"validate", good.string()});
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);

  const auto bad = quickstart_with(dir, "runner:\n  type: slurm\n  time: 1h\n  levels:\n    2: {partition: nosuch}\n");
  const auto refused = run(rungs, {"validate", bad.string()});
  CHECK(refused.exit_code == 2);
  // The partition is the level-2 entry's, on the file's last line.
  const auto where = bad.string() + ":" + std::to_string(lines_in(bad)) + ":";
  CHECK_MESSAGE(refused.err.find(where) != std::string::npos, refused.err);
  CHECK_MESSAGE(refused.err.find("runner.levels.2.partition: Slurm refuses the jobs of budget level 2") !=
                    std::string::npos,
                refused.err);
  CHECK(refused.err.find("invalid partition specified: nosuch") != std::string::npos);
}
