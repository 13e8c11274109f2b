// Fuzz target: the multipart/form-data scanner (domain/multipart.*) that finds the uploaded file
// in the body nginx spooled. Input: one byte seeding the read sizes, the Content-Type value up to
// the first '\n', then the body. The scanner reads through ByteSource::ReadAt, which may return
// fewer bytes than asked: the same body read whole and read in random short chunks must give the
// same answer, and a found part must lie inside the body, right before a delimiter.
#include <algorithm>
#include <cstring>
#include <optional>

#include "domain/multipart.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using gw::domain::ByteSource;

/// With seed 0 reads as much as asked, else 1-64 bytes per call; the sizes come from a small
/// xorshift generator so that every run of one input reads the same way.
class StringSource final : public ByteSource {
 public:
  StringSource(std::string_view body, std::uint32_t seed) : body_(body), chunked_(seed != 0), state_(seed | 1) {}
  std::uint64_t Size() const override { return body_.size(); }
  std::size_t ReadAt(std::uint64_t offset, std::span<char> out) const override {
    if (offset >= body_.size()) return 0;
    std::size_t n = std::min<std::size_t>(out.size(), body_.size() - offset);
    if (chunked_) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 17;
      state_ ^= state_ << 5;
      n = std::min<std::size_t>(n, 1 + state_ % 64);
    }
    std::memcpy(out.data(), body_.data() + offset, n);
    return n;
  }

 private:
  std::string_view body_;
  bool chunked_;
  mutable std::uint32_t state_;
};

struct Outcome {
  std::optional<gw::domain::MultipartFile> file;
  std::optional<gw::domain::ErrorCode> error;
};

Outcome Scan(const ByteSource& body, std::string_view boundary) {
  try {
    return {gw::domain::FindMultipartFile(body, boundary, "file"), std::nullopt};
  } catch (const gw::domain::Error& error) {
    return {std::nullopt, error.Code()};
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint32_t seed = 0x9e3779b9u * (data[0] + 1u);  // never 0
  const std::string_view rest = gw::fuzz::AsText(data + 1, size - 1);
  const std::size_t newline = rest.find('\n');
  const std::string_view content_type = rest.substr(0, newline);
  const std::string_view body = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);

  const auto boundary = gw::domain::MultipartBoundary(content_type);
  if (!boundary) return 0;
  GW_FUZZ_CHECK(!boundary->empty() && boundary->size() <= 70);
  GW_FUZZ_CHECK(boundary->find(';') == std::string::npos && boundary->back() != ' ');

  const StringSource whole(body, 0);
  const StringSource chunked(body, seed);
  const Outcome a = Scan(whole, *boundary);
  const Outcome b = Scan(chunked, *boundary);
  GW_FUZZ_CHECK(a.error == b.error);
  GW_FUZZ_CHECK(a.file.has_value() == b.file.has_value());
  if (a.error) {
    GW_FUZZ_CHECK(*a.error == gw::domain::ErrorCode::kBadRequest ||
                  *a.error == gw::domain::ErrorCode::kValidationFailed);
  }
  if (a.file) {
    const auto& f = *a.file;
    GW_FUZZ_CHECK(f.offset == b.file->offset && f.length == b.file->length);
    GW_FUZZ_CHECK(f.filename == b.file->filename && f.content_type == b.file->content_type);
    GW_FUZZ_CHECK(f.offset <= body.size() && f.length <= body.size() - f.offset);
    // the part ends where the next delimiter starts
    const std::string delimiter = "\r\n--" + *boundary;
    GW_FUZZ_CHECK(body.substr(f.offset + f.length, delimiter.size()) == delimiter);
  }
  return 0;
}
