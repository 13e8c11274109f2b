#include "fcgi/http/plan_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>

namespace gw::web {
namespace {

nlohmann::json NumberOrNull(const std::optional<std::int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

std::optional<std::int64_t> OptionalInteger(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

nlohmann::json LimitsToJson(const domain::PlanLimits& limits) {
  return {{"requests_per_minute", limits.requests_per_minute},
          {"burst", limits.burst},
          {"upload_bytes_per_day", limits.upload_bytes_per_day}};
}

nlohmann::json OverridesToJson(const domain::LimitOverrides& overrides) {
  return {{"requests_per_minute", NumberOrNull(overrides.requests_per_minute)},
          {"burst", NumberOrNull(overrides.burst)},
          {"upload_bytes_per_day", NumberOrNull(overrides.upload_bytes_per_day)}};
}

nlohmann::json PlanToJson(const domain::Plan& plan) {
  return {{"name", plan.name},
          {"description", plan.description ? nlohmann::json(*plan.description) : nlohmann::json(nullptr)},
          {"limits", LimitsToJson(plan.limits)}};
}

domain::LimitOverrides OverridesFromJson(const nlohmann::json& overrides) {
  if (!overrides.is_object()) return {};
  return domain::LimitOverrides{OptionalInteger(overrides, "requests_per_minute"), OptionalInteger(overrides, "burst"),
                                OptionalInteger(overrides, "upload_bytes_per_day")};
}

}  // namespace gw::web
