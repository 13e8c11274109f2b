#include "domain/multipart.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>

using namespace std::string_literals;

#include "domain/error.hpp"

namespace gw::domain {
namespace {

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  std::uint64_t Size() const override { return data_.size(); }
  std::size_t ReadAt(std::uint64_t offset, std::span<char> out) const override {
    if (offset >= data_.size()) return 0;
    const std::size_t n = std::min<std::size_t>(out.size(), data_.size() - offset);
    std::memcpy(out.data(), data_.data() + offset, n);
    return n;
  }

 private:
  std::string data_;
};

std::string Body(const std::string& boundary, const std::string& content, const std::string& extra_headers = "") {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + boundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\n" + extra_headers +
         "Content-Type: application/pdf\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
}

std::string Slice(const std::string& body, const MultipartFile& file) {
  return body.substr(static_cast<std::size_t>(file.offset), static_cast<std::size_t>(file.length));
}

TEST(MultipartBoundary, ReadsPlainAndQuotedBoundaries) {
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(MultipartBoundary("Multipart/Form-Data; boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(MultipartBoundary("multipart/form-data; boundary=xyz; charset=utf-8"), "xyz");
}

TEST(MultipartBoundary, RefusesOtherTypesAndBadBoundaries) {
  EXPECT_FALSE(MultipartBoundary("application/json"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data"));
  EXPECT_FALSE(MultipartBoundary("multipart/form-data; boundary=" + std::string(71, 'a')));
}

TEST(FindMultipartFile, FindsTheFilePartAmongOthers) {
  const std::string body = Body("XyZ", "binary\r\ncontent\0with nul"s);
  const auto file = FindMultipartFile(StringSource(body), "XyZ", "file");
  EXPECT_EQ(Slice(body, file), "binary\r\ncontent\0with nul"s);
  EXPECT_EQ(file.filename, "report.pdf");
  EXPECT_EQ(file.content_type, "application/pdf");
}

TEST(FindMultipartFile, AllowsAnEmptyFile) {
  const std::string body = Body("b", "");
  const auto file = FindMultipartFile(StringSource(body), "b", "file");
  EXPECT_EQ(file.length, 0u);
}

TEST(FindMultipartFile, FindsADelimiterThatStraddlesTheReadWindow) {
  // 256 KiB window: put the closing delimiter across the first window edge.
  const std::string content(256 * 1024 - 90, 'x');
  const std::string body = Body("boundary42", content);
  const auto file = FindMultipartFile(StringSource(body), "boundary42", "file");
  EXPECT_EQ(file.length, content.size());
  EXPECT_EQ(Slice(body, file), content);
}

TEST(FindMultipartFile, ContentThatMerelyResemblesTheBoundaryIsKept) {
  const std::string content = "--b is not a delimiter without CRLF before it\r\n-b";
  const std::string body = Body("b", content);
  EXPECT_EQ(Slice(body, FindMultipartFile(StringSource(body), "b", "file")), content);
}

TEST(FindMultipartFile, DecodesRfc5987FilenameStar) {
  const std::string body =
      "--q\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"; filename*=UTF-8''%C3%A9t%C3%A9.txt"
      "\r\n\r\nabc\r\n--q--\r\n";
  EXPECT_EQ(FindMultipartFile(StringSource(body), "q", "file").filename, "\xC3\xA9t\xC3\xA9.txt");
}

TEST(FindMultipartFile, AcceptsAPreamble) {
  const std::string body = "preamble text\r\n--q\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--q--";
  EXPECT_EQ(Slice(body, FindMultipartFile(StringSource(body), "q", "file")), "abc");
}

TEST(FindMultipartFile, MissingPartIsAValidationError) {
  const std::string body = "--q\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nabc\r\n--q--\r\n";
  try {
    FindMultipartFile(StringSource(body), "q", "file");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
  }
}

TEST(FindMultipartFile, TruncatedBodiesAreBadRequests) {
  for (const std::string& body : {std::string("garbage"), std::string("--q\r\nContent-Disposition: form-data"),
                                  std::string("--q\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc")}) {
    try {
      FindMultipartFile(StringSource(body), "q", "file");
      FAIL() << "expected an error for: " << body;
    } catch (const Error& error) {
      EXPECT_EQ(error.Code(), ErrorCode::kBadRequest) << body;
    }
  }
}

// ByteSource::ReadAt may return fewer bytes than asked before the end. Found by
// tests/fuzz/multipart_fuzz.cpp (its seed "simple", read 1-64 bytes at a time): the scanner
// took a short read for the end of the body and answered "no opening boundary".
class ShortReadSource final : public ByteSource {
 public:
  ShortReadSource(std::string data, std::size_t most) : data_(std::move(data)), most_(most) {}
  std::uint64_t Size() const override { return data_.size(); }
  std::size_t ReadAt(std::uint64_t offset, std::span<char> out) const override {
    if (offset >= data_.size()) return 0;
    const std::size_t n = std::min({out.size(), data_.size() - offset, most_});
    std::memcpy(out.data(), data_.data() + offset, n);
    return n;
  }

 private:
  std::string data_;
  std::size_t most_;
};

TEST(FindMultipartFile, ShortReadsGiveTheSameAnswer) {
  const std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  const MultipartFile whole = FindMultipartFile(StringSource(body), "XyZ", "file");
  for (const std::size_t most : {1u, 2u, 3u, 7u, 64u}) {
    const MultipartFile part = FindMultipartFile(ShortReadSource(body, most), "XyZ", "file");
    EXPECT_EQ(part.offset, whole.offset) << most;
    EXPECT_EQ(part.length, whole.length) << most;
    EXPECT_EQ(part.filename, "a.txt") << most;
    EXPECT_EQ(Slice(body, part), "hello") << most;
  }
  const std::string big = Body("b", std::string(300 * 1024, 'x'));  // past the scanner's window
  const MultipartFile part = FindMultipartFile(ShortReadSource(big, 4000), "b", "file");
  EXPECT_EQ(part.length, 300u * 1024);
}

}  // namespace
}  // namespace gw::domain
