#pragma once
/// @file domain::UploadSpool in a directory next to the content store (<store>/spool).
///
/// nginx writes a request body to its temp directory (<store>/.upload-tmp, the same
/// filesystem) and deletes it when the request ends. Keep hard-links that file into spool/
/// (a copy when the link is refused), so the body outlives the request at no cost, and fsyncs
/// it and the directory: after the 202 a crash of anything loses no accepted upload.
/// Names are "<pid>-<16 hex digits>.body" (posix::UniqueStem), never reused.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "domain/content.hpp"

namespace gw::persistence {

class LocalUploadSpool final : public domain::UploadSpool {
 public:
  /// Creates `directory` when missing.
  explicit LocalUploadSpool(std::string directory);

  std::string Keep(const std::string& source_path) override;
  std::string PathOf(const std::string& name) const override;
  void Discard(const std::string& name) override;

  /// Removes spooled files older than `min_age` for which `still_needed(name)` is false (no job
  /// that is still to run refers to them): bodies of jobs that died, and of requests killed
  /// between Keep and the commit of their job. `min_age` covers that window. Returns how many.
  static std::size_t Sweep(const std::string& directory, std::chrono::seconds min_age,
                           const std::function<bool(const std::string& name)>& still_needed);

 private:
  std::string directory_;
};

}  // namespace gw::persistence
