#include "campaign/campaign_loop.hpp"

#include "campaign/dispatcher.hpp"

namespace rungs::campaign {

CampaignOutcome run_campaign(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                             runners::Runner& runner, boost::asio::io_context& io,
                             store::CampaignStore& store, const LoopOptions& options) {
  Dispatcher dispatcher(spec, scheduler, runner, io, store, options);
  return dispatcher.run();
}

}  // namespace rungs::campaign
