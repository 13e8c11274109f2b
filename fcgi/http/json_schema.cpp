#include "fcgi/http/json_schema.hpp"

#include <nlohmann/json.hpp>

#include <string>

#include "domain/error.hpp"

namespace gw::web {
namespace {

std::string_view TypeName(JsonType type) {
  switch (type) {
    case JsonType::kString: return "a string";
    case JsonType::kInteger: return "an integer";
    case JsonType::kBoolean: return "a boolean";
  }
  return "a value";
}

bool HasType(const nlohmann::json& value, JsonType type) {
  switch (type) {
    case JsonType::kString: return value.is_string();
    case JsonType::kInteger: return value.is_number_integer();
    case JsonType::kBoolean: return value.is_boolean();
  }
  return false;
}

}  // namespace

void Validate(const BodySchema& schema, const nlohmann::json& body) {
  using domain::FieldError;
  if (!body.is_object()) {
    throw domain::Error(domain::ErrorCode::kValidationFailed, "The request body must be a JSON object");
  }
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto& field : schema.fields) known = known || field.name == key;
    if (!known) throw FieldError(key, "Unknown field '" + key + "'");
  }
  for (const auto& field : schema.fields) {
    const std::string name(field.name);
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) {
      if (field.required) throw FieldError(name, "'" + name + "' is required");
      continue;
    }
    if (!HasType(*it, field.type)) {
      throw FieldError(name, "'" + name + "' must be " + std::string(TypeName(field.type)));
    }
    if (field.type == JsonType::kString && it->get_ref<const std::string&>().size() > field.max_length) {
      throw FieldError(name, "'" + name + "' must be at most " + std::to_string(field.max_length) + " bytes");
    }
  }
}

}  // namespace gw::web
