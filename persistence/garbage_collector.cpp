#include "persistence/garbage_collector.hpp"

#include <set>

#include "domain/job_payloads.hpp"
#include "persistence/local_upload_spool.hpp"
#include "persistence/pg_job_queue.hpp"
#include "persistence/pg_session.hpp"

namespace gw::persistence {

std::vector<std::string> CollectGarbage(const std::string& dsn, domain::ContentStore& store) {
  PgSession session(dsn);
  return session.Files().CollectGarbage([&store](const std::string& cid) { store.Remove(cid); });
}

std::size_t SweepUploadSpool(const std::string& dsn, const std::string& spool_dir, std::chrono::seconds min_age) {
  PgJobQueue queue(dsn);
  // Read before the directory: a job enqueued after this read has a file younger than min_age.
  const auto live = queue.LivePayloadValues(domain::kUploadJob, "spool");
  const std::set<std::string> needed(live.begin(), live.end());
  return LocalUploadSpool::Sweep(spool_dir, min_age,
                                 [&needed](const std::string& name) { return needed.contains(name); });
}

}  // namespace gw::persistence
