// The error code `action` throws, for tests that expect a domain::Error (a test failure when
// it throws nothing).
#pragma once

#include <gtest/gtest.h>

#include <functional>

#include "domain/error.hpp"

namespace gw::test {

inline domain::ErrorCode CodeOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const domain::Error& error) {
    return error.Code();
  }
  ADD_FAILURE() << "expected a domain::Error";
  return domain::ErrorCode::kServerSideError;
}

}  // namespace gw::test
