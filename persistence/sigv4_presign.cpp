#include "persistence/sigv4_presign.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstdint>
#include <ctime>
#include <span>
#include <stdexcept>

#include "domain/multibase.hpp"
#include "persistence/s3_payload.hpp"
#include "persistence/s3_url.hpp"

namespace gw::persistence {
namespace {

using Digest = std::array<std::uint8_t, 32>;

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

Digest HmacSha256(std::span<const std::uint8_t> key, std::string_view data) {
  Digest out{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), Bytes(data).data(), data.size(), out.data(),
           &length) == nullptr ||
      length != out.size()) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return out;
}

}  // namespace

std::string AmzTimestamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 17> text{};
  std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &utc);
  return text.data();
}

std::string PresignGetUrl(const S3Config& config, std::string_view key, std::chrono::seconds expires,
                          std::chrono::system_clock::time_point now) {
  if (expires < std::chrono::seconds(1) || expires > kMaxPresignExpiry) {
    throw std::invalid_argument("presigned URL expiry must be 1 s to 7 days");
  }
  const std::string timestamp = AmzTimestamp(now);
  const std::string date = timestamp.substr(0, 8);
  const std::string scope = date + "/" + config.region + "/s3/aws4_request";
  const std::string query = CanonicalQuery({
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", config.access_key + "/" + scope},
      {"X-Amz-Date", timestamp},
      {"X-Amz-Expires", std::to_string(expires.count())},
      {"X-Amz-SignedHeaders", "host"},
  });
  const std::string path = ObjectPath(config, key);
  // Query authentication signs no payload: whoever holds the URL may GET, so UNSIGNED-PAYLOAD.
  const std::string canonical_request =
      "GET\n" + path + "\n" + query + "\nhost:" + HostOf(config.endpoint) + "\n\nhost\nUNSIGNED-PAYLOAD";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + Sha256Hex(canonical_request);

  const std::string secret = "AWS4" + config.secret_key;
  Digest key_bytes = HmacSha256(Bytes(secret), date);
  for (const std::string_view part :
       {std::string_view(config.region), std::string_view("s3"), std::string_view("aws4_request")}) {
    key_bytes = HmacSha256(key_bytes, part);
  }
  const std::string signature = domain::LowerHex(HmacSha256(key_bytes, string_to_sign));
  // The signature goes last, as botocore puts it; the order of parameters in a URL does not
  // matter to S3, only the canonical query that was signed.
  return ObjectUrl(config, key) + "?" + query + "&X-Amz-Signature=" + signature;
}

}  // namespace gw::persistence
