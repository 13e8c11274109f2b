// GET /health/ready: readiness. 200 only when this worker thread can reach PostgreSQL.
#include <nlohmann/json.hpp>

#include "domain/error.hpp"
#include "fcgi/http/context.hpp"
#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetHealthReady() {
  return [](Request&, Context& context) {
    if (!context.database_ping()) throw domain::Error(domain::ErrorCode::kDatabaseUnavailable);
    return JsonSuccess(200, "ready", {{"status", "ready"}, {"database", "ok"}});
  };
}

}  // namespace gw::web::handlers
