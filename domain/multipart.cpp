#include "domain/multipart.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <vector>

#include "domain/error.hpp"

namespace gw::domain {
namespace {

constexpr std::size_t kWindow = 256 * 1024;
constexpr std::size_t kMaxPartHeaders = 16 * 1024;

Error Malformed(std::string why) {
  return Error(ErrorCode::kBadRequest, "Malformed multipart body: " + why, {{"reason", "malformed_multipart"}});
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// Fills `out` from `offset` up to the end of the body: ReadAt may return fewer bytes than asked
/// before the end, and a short read taken for the end would lose a match or cut a range.
std::size_t ReadFully(const ByteSource& body, std::uint64_t offset, std::span<char> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const std::size_t got = body.ReadAt(offset + done, out.subspan(done));
    if (got == 0) break;
    done += got;
  }
  return done;
}

/// Finds `needle` at or after `from`, reading through a sliding window whose overlap keeps a
/// match that straddles two reads. Returns the absolute offset or nullopt.
std::optional<std::uint64_t> Find(const ByteSource& body, std::string_view needle, std::uint64_t from) {
  std::vector<char> buffer(kWindow + needle.size());
  const std::boyer_moore_horspool_searcher searcher(needle.begin(), needle.end());
  std::uint64_t offset = from;
  while (offset < body.Size()) {
    const std::size_t got = ReadFully(body, offset, std::span<char>(buffer.data(), buffer.size()));
    if (got < needle.size()) return std::nullopt;
    const auto end = buffer.begin() + static_cast<std::ptrdiff_t>(got);
    const auto hit = std::search(buffer.begin(), end, searcher);
    if (hit != end) return offset + static_cast<std::uint64_t>(hit - buffer.begin());
    if (offset + got >= body.Size()) return std::nullopt;
    offset += got - (needle.size() - 1);
  }
  return std::nullopt;
}

std::string ReadRange(const ByteSource& body, std::uint64_t offset, std::size_t length) {
  std::string out(length, '\0');
  const std::size_t got = ReadFully(body, offset, std::span<char>(out.data(), out.size()));
  out.resize(got);
  return out;
}

/// Value of a Content-Disposition parameter (`name`, `filename`), unquoting "..." and \x.
std::optional<std::string> DispositionParam(std::string_view header, std::string_view param) {
  std::size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    ++pos;
    while (pos < header.size() && header[pos] == ' ') ++pos;
    const std::size_t eq = header.find('=', pos);
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string key = Lower(header.substr(pos, eq - pos));
    std::size_t value_start = eq + 1;
    std::string value;
    if (value_start < header.size() && header[value_start] == '"') {
      std::size_t i = value_start + 1;
      for (; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) ++i;
        value += header[i];
      }
      pos = i;
    } else {
      const std::size_t end = header.find(';', value_start);
      value = std::string(header.substr(value_start, end == std::string_view::npos ? end : end - value_start));
      pos = end == std::string_view::npos ? header.size() : end;
    }
    if (key == param) return value;
  }
  return std::nullopt;
}

/// Decodes RFC 5987 ext-value "UTF-8''percent%20encoded".
std::optional<std::string> DecodeExtValue(std::string_view value) {
  const std::size_t quote = value.find("''");
  if (quote == std::string_view::npos || Lower(value.substr(0, quote)) != "utf-8") return std::nullopt;
  std::string out;
  for (std::size_t i = quote + 2; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && std::isxdigit(static_cast<unsigned char>(value[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(value[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(value.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += value[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  const std::string lowered = Lower(content_type);
  if (!lowered.starts_with("multipart/form-data")) return std::nullopt;
  const std::size_t at = lowered.find("boundary=");
  if (at == std::string::npos) return std::nullopt;
  std::string boundary(content_type.substr(at + 9));
  boundary = boundary.substr(0, boundary.find(';'));
  if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"') {
    boundary = boundary.substr(1, boundary.size() - 2);
  }
  while (!boundary.empty() && boundary.back() == ' ') boundary.pop_back();
  if (boundary.empty() || boundary.size() > 70) return std::nullopt;
  return boundary;
}

MultipartFile FindMultipartFile(const ByteSource& body, std::string_view boundary, std::string_view field) {
  const std::string first = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + first;
  // The first delimiter may open the body (no preamble) or follow a preamble and CRLF.
  std::optional<std::uint64_t> at =
      ReadRange(body, 0, first.size()) == first ? std::optional<std::uint64_t>(0) : Find(body, delimiter, 0);
  if (!at) throw Malformed("no opening boundary");
  std::uint64_t cursor =
      *at + (*at == 0 && ReadRange(body, 0, first.size()) == first ? first.size() : delimiter.size());
  while (true) {
    const std::string after = ReadRange(body, cursor, 2);
    if (after == "--") break;  // closing delimiter: no more parts
    if (after != "\r\n") throw Malformed("boundary not followed by CRLF");
    const std::uint64_t headers_start = cursor + 2;
    const auto headers_end = Find(body, "\r\n\r\n", headers_start);
    if (!headers_end || *headers_end - headers_start > kMaxPartHeaders)
      throw Malformed("part headers too long or unterminated");
    const std::string headers = ReadRange(body, headers_start, static_cast<std::size_t>(*headers_end - headers_start));
    const std::uint64_t content_start = *headers_end + 4;
    const auto content_end = Find(body, delimiter, content_start);
    if (!content_end) throw Malformed("part is not terminated by a boundary");

    std::optional<std::string> name;
    MultipartFile file;
    std::size_t line_start = 0;
    while (line_start <= headers.size()) {
      const std::size_t line_end = std::min(headers.find("\r\n", line_start), headers.size());
      const std::string_view line = std::string_view(headers).substr(line_start, line_end - line_start);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string key = Lower(line.substr(0, colon));
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (key == "content-disposition") {
          name = DispositionParam(value, "name");
          if (auto star = DispositionParam(value, "filename*")) {
            if (auto decoded = DecodeExtValue(*star)) file.filename = *decoded;
          }
          if (file.filename.empty()) file.filename = DispositionParam(value, "filename").value_or("");
        } else if (key == "content-type") {
          file.content_type = std::string(value);
        }
      }
      line_start = line_end + 2;
    }
    if (name && *name == field) {
      file.offset = content_start;
      file.length = *content_end - content_start;
      return file;
    }
    cursor = *content_end + delimiter.size();
  }
  throw Error(ErrorCode::kValidationFailed, "The multipart body has no '" + std::string(field) + "' part",
              {{"field", std::string(field)}});
}

}  // namespace gw::domain
