// GET /health: liveness. Answers without touching the database, so a load balancer can tell a
// hung worker pool from a database outage (that is /health/ready).
#include <nlohmann/json.hpp>

#include "fcgi/http/handlers/handlers.hpp"

namespace gw::web::handlers {

Handler GetHealth() {
  return [](Request&, Context&) { return JsonSuccess(200, "ok", {{"status", "ok"}}); };
}

}  // namespace gw::web::handlers
