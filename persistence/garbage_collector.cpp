#include "persistence/garbage_collector.hpp"

#include "persistence/pg_session.hpp"

namespace gw::persistence {

std::vector<std::string> CollectGarbage(const std::string& dsn, domain::ContentStore& store) {
  PgSession session(dsn);
  return session.Files().CollectGarbage([&store](const std::string& cid) { store.Remove(cid); });
}

}  // namespace gw::persistence
