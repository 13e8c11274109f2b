#pragma once
/// @file JSON forms of plans and limits (PUT /admin/users/{email}/plan, GET /admin/plans,
/// POST /status), and the parsing of the overrides a client sends.

#include <nlohmann/json_fwd.hpp>

#include "domain/account.hpp"
#include "domain/rate_limit.hpp"

namespace gw::web {

/// {requests_per_minute, burst, upload_bytes_per_day}; 0 means unlimited.
nlohmann::json LimitsToJson(const domain::PlanLimits& limits);

/// The same three names, each a number or null (no override: the plan's value applies).
nlohmann::json OverridesToJson(const domain::LimitOverrides& overrides);

/// {name, description, limits}
nlohmann::json PlanToJson(const domain::Plan& plan);

/// The `overrides` of a request body its route's schema has checked: a limit that is absent or
/// null has no override; `overrides` itself null (or absent: pass null) means none at all.
domain::LimitOverrides OverridesFromJson(const nlohmann::json& overrides);

}  // namespace gw::web
