// Fuzz target: a JSON request body as WithJsonBody (fcgi/http/wrappers.cpp) takes it:
// ParseJsonBody, then the body validator (fcgi/http/json_schema.*) against the schemas of the
// routes (fcgi/http/body_schemas.hpp, the ones routes.cpp uses). A body is refused with
// kInvalidJson or kValidationFailed only (any other exception would be a 500), and a body the
// validator lets through really has only known fields, every required one, of the right type
// and length.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

#include "fcgi/http/body_schemas.hpp"
#include "fcgi/http/json_schema.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using gw::web::BodySchema;
using gw::web::JsonType;

using gw::web::schemas::kCredentials;
using gw::web::schemas::kOptionalEmail;
using gw::web::schemas::kPlanChange;
using gw::web::schemas::kSignIn;
const BodySchema kFlags{{{"enabled", JsonType::kBoolean, true}, {"note", JsonType::kString, false, 8}}};

/// What Validate promises of a body it accepts.
void CheckAccepted(const BodySchema& schema, const nlohmann::json& body) {
  GW_FUZZ_CHECK(body.is_object());
  for (const auto& [key, value] : body.items()) {
    bool known = false;
    for (const auto& field : schema.fields) known = known || field.name == key;
    GW_FUZZ_CHECK(known);
  }
  for (const auto& field : schema.fields) {
    const auto it = body.find(std::string(field.name));
    if (it == body.end() || it->is_null()) {
      GW_FUZZ_CHECK(!field.required);
      continue;
    }
    switch (field.type) {
      case JsonType::kString:
        GW_FUZZ_CHECK(it->is_string() && it->get_ref<const std::string&>().size() <= field.max_length);
        break;
      case JsonType::kInteger:
        // fits std::int64_t: what the handlers read it as
        GW_FUZZ_CHECK(it->is_number_integer());
        GW_FUZZ_CHECK(!it->is_number_unsigned() ||
                      it->get<std::uint64_t>() <= std::uint64_t{std::numeric_limits<std::int64_t>::max()});
        break;
      case JsonType::kBoolean: GW_FUZZ_CHECK(it->is_boolean()); break;
      case JsonType::kObject:
        GW_FUZZ_CHECK(it->is_object());
        if (field.fields != nullptr) CheckAccepted(*field.fields, *it);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json body;
  if (gw::fuzz::Refused(gw::domain::ErrorCode::kInvalidJson,
                        [&] { body = gw::web::ParseJsonBody(gw::fuzz::AsText(data, size)); })) {
    return 0;
  }
  for (const BodySchema* schema : {&kCredentials, &kOptionalEmail, &kPlanChange, &kSignIn, &kFlags}) {
    if (!gw::fuzz::Refused(gw::domain::ErrorCode::kValidationFailed, [&] { gw::web::Validate(*schema, body); })) {
      CheckAccepted(*schema, body);
    }
  }
  // a parsed body prints as JSON that parses to the same value (what the handlers log and echo)
  GW_FUZZ_CHECK(nlohmann::json::parse(body.dump()) == body);
  return 0;
}
