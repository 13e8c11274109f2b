#include "fcgi/http/json_schema.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <set>
#include <string>

#include "domain/error.hpp"

namespace gw::web {
namespace {

std::string_view TypeName(JsonType type) {
  switch (type) {
    case JsonType::kString: return "a string";
    case JsonType::kInteger: return "an integer";
    case JsonType::kBoolean: return "a boolean";
    case JsonType::kObject: return "an object";
  }
  return "a value";
}

bool HasType(const nlohmann::json& value, JsonType type) {
  switch (type) {
    case JsonType::kString: return value.is_string();
    case JsonType::kInteger:
      // nlohmann keeps integers above INT64_MAX as unsigned; no field here takes one.
      return value.is_number_integer() &&
             !(value.is_number_unsigned() &&
               value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    case JsonType::kBoolean: return value.is_boolean();
    case JsonType::kObject: return value.is_object();
  }
  return false;
}

/// Checks the fields of the object `body`; `prefix` ("" or "outer.") names nested fields.
void ValidateFields(const BodySchema& schema, const nlohmann::json& body, const std::string& prefix) {
  using domain::FieldError;
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto& field : schema.fields) known = known || field.name == key;
    if (!known) throw FieldError(prefix + key, "Unknown field '" + prefix + key + "'");
  }
  for (const auto& field : schema.fields) {
    const std::string name = prefix + std::string(field.name);
    const auto it = body.find(std::string(field.name));
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
    if (field.type == JsonType::kObject && field.fields != nullptr) ValidateFields(*field.fields, *it, name + ".");
  }
}

/// One object being parsed: the keys seen so far and the name of the object ("" or "outer.").
struct OpenObject {
  std::set<std::string> keys;
  std::string prefix;
  std::string last_key;
};

}  // namespace

nlohmann::json ParseJsonBody(std::string_view text) {
  using domain::Error;
  using domain::ErrorCode;
  std::vector<OpenObject> open;
  const nlohmann::json::parser_callback_t refuse_duplicates =
      [&open](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using Event = nlohmann::json::parse_event_t;
        if (event == Event::object_start) {
          open.push_back({{}, open.empty() ? std::string() : open.back().prefix + open.back().last_key + ".", {}});
        } else if (event == Event::object_end && !open.empty()) {
          open.pop_back();
        } else if (event == Event::key && !open.empty() && parsed.is_string()) {
          OpenObject& object = open.back();
          object.last_key = parsed.get<std::string>();
          if (!object.keys.insert(object.last_key).second) {
            const std::string name = object.prefix + object.last_key;
            throw Error(ErrorCode::kInvalidJson, "Duplicate key '" + name + "' in the JSON body", {{"key", name}});
          }
        }
        return true;
      };
  try {
    return nlohmann::json::parse(text, refuse_duplicates);
  } catch (const nlohmann::json::parse_error& parse_error) {
    throw Error(ErrorCode::kInvalidJson, {}, {{"position", std::to_string(parse_error.byte)}});
  } catch (const nlohmann::json::out_of_range&) {
    // a number out of the range of double is no parse_error: without this it was a 500
    throw Error(ErrorCode::kInvalidJson, "The request body holds a number out of range");
  }
}

void Validate(const BodySchema& schema, const nlohmann::json& body) {
  if (!body.is_object()) {
    throw domain::Error(domain::ErrorCode::kValidationFailed, "The request body must be a JSON object");
  }
  ValidateFields(schema, body, "");
}

}  // namespace gw::web
