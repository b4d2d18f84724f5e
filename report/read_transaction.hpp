#pragma once
// One SQLite read transaction over several queries of a CampaignStore, so that they all see
// the same state of a database another process is appending to: in WAL mode the writer goes
// on meanwhile, and a status table whose counts came from two different moments would not
// add up.
#include "store/store.hpp"

namespace rungs::report {

class ReadTransaction {
 public:
  explicit ReadTransaction(const store::CampaignStore& store) : store_(store) { store_.query("BEGIN"); }
  ~ReadTransaction() {
    try {
      store_.query("COMMIT");
    } catch (...) {
      // Nothing was written, so there is nothing to lose: a read transaction that cannot end
      // cleanly ends when the connection closes.
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  const store::CampaignStore& store_;
};

}  // namespace rungs::report
