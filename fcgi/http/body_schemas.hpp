#pragma once
// The request body schemas of the routes (docs/api.md), in one place: fcgi/http/routes.cpp wraps
// its handlers with them, and the JSON body fuzz target (tests/fuzz/json_body_fuzz.cpp) checks the
// validator against the very same ones.
#include "fcgi/http/json_schema.hpp"

namespace gw::web::schemas {

/// POST /register, POST /renew
inline const BodySchema kCredentials{
    {{"email", JsonType::kString, true, 320}, {"password", JsonType::kString, true, 1024}}};
/// the admin routes naming a user
inline const BodySchema kEmail{{{"email", JsonType::kString, true, 320}}};
/// the same, where the body may be left out
inline const BodySchema kOptionalEmail{{{"email", JsonType::kString, false, 320}}, /*body_optional=*/true};
/// Each override: a number (0 = unlimited) or null/absent (the plan's value applies).
inline const BodySchema kLimitOverrides{{{"requests_per_minute", JsonType::kInteger, false},
                                         {"burst", JsonType::kInteger, false},
                                         {"upload_bytes_per_day", JsonType::kInteger, false}}};
/// PUT /admin/users/{email}/plan
inline const BodySchema kPlanChange{
    {{"plan", JsonType::kString, true, 64}, {"overrides", JsonType::kObject, false, 0, &kLimitOverrides}}};

/// POST /session: email + password, or api_key (the handler requires exactly one of the two)
inline const BodySchema kSignIn{{{"email", JsonType::kString, false, 320},
                                 {"password", JsonType::kString, false, 1024},
                                 {"api_key", JsonType::kString, false, 1024}}};

}  // namespace gw::web::schemas
