#include "domain/accounts.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "domain/api_key.hpp"
#include "domain/error.hpp"
#include "domain/user_directory.hpp"

namespace gw::domain {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kPepper = "unit-test-pepper-unit-test-pepper";
constexpr PasswordHashParams kCheap{1, 64, 1};
constexpr std::string_view kPassword = "correct horse battery";

/// Deterministic "randomness": a counter, so every Fill gives new bytes.
class CountingRandom : public RandomSource {
 public:
  void Fill(std::span<unsigned char> out) override {
    for (auto& byte : out) byte = static_cast<unsigned char>(next_++ * 31 + 7);
  }

 private:
  unsigned next_ = 0;
};

/// An in-memory AccountRepository that records what it was asked.
class FakeRepository : public AccountRepository {
 public:
  struct User {
    UserId id = 0;
    std::string email;
    std::string password_hash;
    bool is_admin = false;
    bool active = true;
    std::string plan = "free";
    LimitOverrides overrides;
  };
  struct Key {
    UserId user_id = 0;
    std::string prefix;
    bool current = true;
  };

  UserId CreateAccount(const NewAccount& account, std::string_view action, const AuditContext& audit) override {
    ++calls;
    created.push_back(account);
    actions.emplace_back(action);
    audits.push_back(audit);
    for (const auto& [id, user] : users) {
      if (user.email == account.email) throw Error(ErrorCode::kEmailTaken);
    }
    const UserId id = next_id++;
    users[id] = User{id, account.email, account.password_hash, account.is_admin, true, "free", {}};
    keys[account.key_hash] = Key{id, account.key_prefix, true};
    return id;
  }

  std::optional<Credentials> FindCredentials(std::string_view email) override {
    ++calls;
    for (const auto& [id, user] : users) {
      if (user.email == email) return Credentials{id, user.password_hash, user.active};
    }
    return std::nullopt;
  }

  void ReplaceKey(UserId user_id, std::string_view key_hash, std::string_view key_prefix,
                  const AuditContext& audit) override {
    ++calls;
    audits.push_back(audit);
    for (auto& [hash, key] : keys) {
      if (key.user_id == user_id) key.current = false;
    }
    keys[std::string(key_hash)] = Key{user_id, std::string(key_prefix), true};
  }

  bool SetAccountActive(std::string_view email, bool active, const AuditContext& audit) override {
    ++calls;
    audits.push_back(audit);
    for (auto& [id, user] : users) {
      if (user.email == email) {
        user.active = active;
        return true;
      }
    }
    return false;
  }

  std::optional<PlanAssignment> SetPlan(std::string_view email, const PlanChange& change,
                                        const AuditContext& audit) override {
    ++calls;
    if (!plans.contains(change.plan)) throw Error(ErrorCode::kUnknownPlan);
    for (auto& [id, user] : users) {
      if (user.email != email) continue;
      audits.push_back(audit);
      user.plan = change.plan;
      user.overrides = change.overrides;
      return PlanAssignment{user.email, user.plan, LimitsOf(user), user.overrides};
    }
    return std::nullopt;
  }

  std::vector<Plan> ListPlans() override {
    ++calls;
    std::vector<Plan> list;
    for (const auto& [name, limits] : plans) list.push_back(Plan{name, limits, std::nullopt});
    return list;
  }

  Page<UserSummary> ListUsers(const UserQuery& query) override {
    ++calls;
    last_user_query = query;
    return {};
  }

  std::optional<KeyLookup> FindByKeyHash(std::string_view key_hash) override {
    ++calls;
    ++key_lookups;
    const auto it = keys.find(std::string(key_hash));
    if (it == keys.end()) return std::nullopt;
    const User& user = users.at(it->second.user_id);
    return KeyLookup{user.id, user.email, user.is_admin, user.active, it->second.current, user.plan, LimitsOf(user)};
  }

  /// The plan's limits with the user's overrides applied, as the database computes them.
  PlanLimits LimitsOf(const User& user) const {
    const PlanLimits plan = plans.at(user.plan);
    return PlanLimits{user.overrides.requests_per_minute.value_or(plan.requests_per_minute),
                      user.overrides.burst.value_or(plan.burst),
                      user.overrides.upload_bytes_per_day.value_or(plan.upload_bytes_per_day)};
  }

  std::optional<AccountStatus> FindStatus(UserId user_id) override {
    ++calls;
    const auto it = users.find(user_id);
    if (it == users.end()) return std::nullopt;
    return StatusOf(it->second);
  }

  std::optional<AccountStatus> FindStatusByEmail(std::string_view email) override {
    ++calls;
    for (const auto& [id, user] : users) {
      if (user.email == email) return StatusOf(user);
    }
    return std::nullopt;
  }

  AccountStatus StatusOf(const User& user) const {
    return AccountStatus{user.email,    user.active ? KeyState::kActive : KeyState::kRevoked,
                         user.is_admin, "2026-01-01T00:00:00Z",
                         std::nullopt,  10,
                         user.plan,     LimitsOf(user)};
  }

  std::map<UserId, User> users;
  std::map<std::string, PlanLimits> plans{{"free", {600, 100, 1073741824}}, {"pro", {6000, 1000, 107374182400}}};
  std::map<std::string, Key> keys;  // by key hash
  std::vector<NewAccount> created;
  std::vector<std::string> actions;
  std::vector<AuditContext> audits;
  UserId next_id = 1;
  int calls = 0;
  int key_lookups = 0;
  std::optional<UserQuery> last_user_query;
};

class AccountServiceTest : public ::testing::Test {
 protected:
  AuditContext Audit() const { return AuditContext{"req-1", "192.0.2.1", std::nullopt}; }

  Principal PrincipalFor(const IssuedKey& issued) { return service.Authenticate(repo, issued.api_key); }

  Principal Admin() {
    const auto issued = service.CreateAdmin(repo, "root@example.com", kPassword, Audit());
    return PrincipalFor(issued);
  }

  template <typename F>
  ErrorCode CodeOf(F&& f) {
    try {
      f();
    } catch (const Error& error) {
      return error.Code();
    }
    ADD_FAILURE() << "expected a domain::Error";
    return ErrorCode::kServerSideError;
  }

  CountingRandom random;
  KeyCache cache{60s, 1000};
  UsageCounter usage;
  AccountService service{std::string(kPepper), random, cache, usage, kCheap};
  FakeRepository repo;
};

TEST_F(AccountServiceTest, RegisterReturnsAWellFormedKeyAndTheNormalisedEmail) {
  const auto issued = service.Register(repo, "  Alice@Example.com ", kPassword, Audit());
  EXPECT_EQ(issued.email, "alice@example.com");
  EXPECT_TRUE(IsWellFormedApiKey(issued.api_key)) << issued.api_key;
}

TEST_F(AccountServiceTest, RegisterStoresOnlyTheKeyHashAndPrefix) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  ASSERT_EQ(repo.created.size(), 1u);
  const NewAccount& stored = repo.created[0];
  EXPECT_EQ(stored.email, "alice@example.com");
  EXPECT_EQ(stored.key_hash, HashApiKey(kPepper, issued.api_key));
  EXPECT_EQ(stored.key_hash.find(issued.api_key), std::string::npos);
  EXPECT_EQ(stored.key_prefix, PublicKeyPrefix(issued.api_key));
  EXPECT_LT(stored.key_prefix.size(), issued.api_key.size());
  EXPECT_FALSE(stored.is_admin);
  EXPECT_EQ(repo.actions[0], "register");
}

TEST_F(AccountServiceTest, RegisterStoresAnArgon2HashOfThePasswordNotThePassword) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  const std::string& hash = repo.created.at(0).password_hash;
  EXPECT_TRUE(hash.starts_with("$argon2id$")) << hash;
  EXPECT_EQ(hash.find(kPassword), std::string::npos);
  EXPECT_TRUE(VerifyPassword(kPassword, hash));
}

TEST_F(AccountServiceTest, RegisterPassesTheAuditContextThrough) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  ASSERT_EQ(repo.audits.size(), 1u);
  EXPECT_EQ(repo.audits[0].request_id, "req-1");
  EXPECT_EQ(repo.audits[0].client_address, "192.0.2.1");
}

TEST_F(AccountServiceTest, TwoRegistrationsGetDifferentKeys) {
  const auto a = service.Register(repo, "alice@example.com", kPassword, Audit());
  const auto b = service.Register(repo, "bob@example.com", kPassword, Audit());
  EXPECT_NE(a.api_key, b.api_key);
}

TEST_F(AccountServiceTest, RegisterWithInvalidEmailFailsValidationWithoutTouchingTheRepository) {
  EXPECT_EQ(CodeOf([&] { service.Register(repo, "not-an-email", kPassword, Audit()); }), ErrorCode::kValidationFailed);
  EXPECT_EQ(repo.calls, 0);
}

TEST_F(AccountServiceTest, RegisterWithWeakPasswordFailsValidationWithoutTouchingTheRepository) {
  EXPECT_EQ(CodeOf([&] { service.Register(repo, "alice@example.com", "short", Audit()); }),
            ErrorCode::kValidationFailed);
  // Compared with the normalised email, so case and spaces in the submitted email do not help.
  EXPECT_EQ(CodeOf([&] { service.Register(repo, " Alice.Long@Example.com", "alice.long@example.com", Audit()); }),
            ErrorCode::kValidationFailed);
  EXPECT_EQ(repo.calls, 0);
}

TEST_F(AccountServiceTest, RegisterPropagatesEmailTaken) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  EXPECT_EQ(CodeOf([&] { service.Register(repo, "ALICE@example.com", kPassword, Audit()); }), ErrorCode::kEmailTaken);
}

TEST_F(AccountServiceTest, CreateAdminWithoutPasswordStoresNoPasswordHash) {
  service.CreateAdmin(repo, "root@example.com", "", Audit());
  ASSERT_EQ(repo.created.size(), 1u);
  EXPECT_TRUE(repo.created[0].is_admin);
  EXPECT_TRUE(repo.created[0].password_hash.empty());
  EXPECT_EQ(repo.actions[0], "admin_create");
}

TEST_F(AccountServiceTest, AuthenticateWithoutKeyIsMissingApiKey) {
  EXPECT_EQ(CodeOf([&] { service.Authenticate(repo, ""); }), ErrorCode::kMissingApiKey);
  EXPECT_EQ(repo.calls, 0);
}

TEST_F(AccountServiceTest, AuthenticateWithMalformedKeyIsInvalidWithoutALookup) {
  EXPECT_EQ(CodeOf([&] { service.Authenticate(repo, "Bearer abc"); }), ErrorCode::kInvalidApiKey);
  EXPECT_EQ(repo.calls, 0);
}

TEST_F(AccountServiceTest, AuthenticateWithUnknownKeyIsInvalid) {
  std::array<unsigned char, kApiKeyRandomBytes> bytes{};
  EXPECT_EQ(CodeOf([&] { service.Authenticate(repo, FormatApiKey(bytes)); }), ErrorCode::kInvalidApiKey);
  EXPECT_EQ(repo.key_lookups, 1);
}

TEST_F(AccountServiceTest, AuthenticateReturnsThePrincipalWithAPublicPrefixOnly) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal principal = service.Authenticate(repo, issued.api_key);
  EXPECT_EQ(principal.email, "alice@example.com");
  EXPECT_FALSE(principal.is_admin);
  EXPECT_NE(principal.user_id, 0);
  EXPECT_EQ(principal.key_prefix, PublicKeyPrefix(issued.api_key));
  EXPECT_LE(principal.key_prefix.size(), kApiKeyPublicPrefixLength);
}

TEST_F(AccountServiceTest, AuthenticateCountsUsage) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal principal = service.Authenticate(repo, issued.api_key);
  service.Authenticate(repo, issued.api_key);
  EXPECT_EQ(usage.Pending(principal.user_id), 2);
}

TEST_F(AccountServiceTest, AuthenticateCachesTheLookup) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  service.Authenticate(repo, issued.api_key);
  service.Authenticate(repo, issued.api_key);
  service.Authenticate(repo, issued.api_key);
  EXPECT_EQ(repo.key_lookups, 1);
  EXPECT_TRUE(cache.Find(HashApiKey(kPepper, issued.api_key)).has_value());
}

TEST_F(AccountServiceTest, AuthenticateWithSupersededKeyIsInactive) {
  const auto old_key = service.Register(repo, "alice@example.com", kPassword, Audit());
  service.Renew(repo, "alice@example.com", kPassword, Audit());
  EXPECT_EQ(CodeOf([&] { service.Authenticate(repo, old_key.api_key); }), ErrorCode::kApiKeyInactive);
}

TEST_F(AccountServiceTest, AuthenticateOfRevokedAccountIsRevokedAndNotCounted) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  repo.users.at(1).active = false;
  EXPECT_EQ(CodeOf([&] { service.Authenticate(repo, issued.api_key); }), ErrorCode::kApiKeyRevoked);
  EXPECT_EQ(usage.Pending(1), 0);
}

TEST_F(AccountServiceTest, RenewIssuesANewWorkingKeyAndRecordsTheActor) {
  const auto first = service.Register(repo, "alice@example.com", kPassword, Audit());
  const auto renewed = service.Renew(repo, " Alice@Example.com", kPassword, Audit());
  EXPECT_EQ(renewed.email, "alice@example.com");
  EXPECT_NE(renewed.api_key, first.api_key);
  EXPECT_TRUE(IsWellFormedApiKey(renewed.api_key));
  EXPECT_EQ(service.Authenticate(repo, renewed.api_key).email, "alice@example.com");
  ASSERT_FALSE(repo.audits.empty());
  EXPECT_EQ(repo.audits.back().actor_user_id, std::optional<UserId>(1));
}

TEST_F(AccountServiceTest, RenewWithWrongPasswordIsInvalidCredentials) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  EXPECT_EQ(CodeOf([&] { service.Renew(repo, "alice@example.com", "wrong password here", Audit()); }),
            ErrorCode::kInvalidCredentials);
}

TEST_F(AccountServiceTest, RenewOfUnknownEmailIsInvalidCredentials) {
  EXPECT_EQ(CodeOf([&] { service.Renew(repo, "nobody@example.com", kPassword, Audit()); }),
            ErrorCode::kInvalidCredentials);
}

TEST_F(AccountServiceTest, RenewOfPasswordlessAdminIsInvalidCredentials) {
  service.CreateAdmin(repo, "root@example.com", "", Audit());
  EXPECT_EQ(CodeOf([&] { service.Renew(repo, "root@example.com", "", Audit()); }), ErrorCode::kInvalidCredentials);
}

TEST_F(AccountServiceTest, RenewOfRevokedAccountIsAccountRevoked) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  repo.users.at(1).active = false;
  EXPECT_EQ(CodeOf([&] { service.Renew(repo, "alice@example.com", kPassword, Audit()); }), ErrorCode::kAccountRevoked);
}

TEST_F(AccountServiceTest, RenewOfRevokedAccountWithWrongPasswordDoesNotRevealTheRevocation) {
  service.Register(repo, "alice@example.com", kPassword, Audit());
  repo.users.at(1).active = false;
  EXPECT_EQ(CodeOf([&] { service.Renew(repo, "alice@example.com", "wrong password here", Audit()); }),
            ErrorCode::kInvalidCredentials);
}

TEST_F(AccountServiceTest, RenewForgetsTheUsersCachedKeys) {
  const auto issued = service.Register(repo, "alice@example.com", kPassword, Audit());
  service.Authenticate(repo, issued.api_key);
  ASSERT_EQ(cache.Size(), 1u);
  service.Renew(repo, "alice@example.com", kPassword, Audit());
  EXPECT_FALSE(cache.Find(HashApiKey(kPepper, issued.api_key)).has_value());
}

TEST_F(AccountServiceTest, RenewDoesNotForgetOtherUsersCachedKeys) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  const auto bob = service.Register(repo, "bob@example.com", kPassword, Audit());
  service.Authenticate(repo, bob.api_key);
  service.Renew(repo, "alice@example.com", kPassword, Audit());
  EXPECT_TRUE(cache.Find(HashApiKey(kPepper, bob.api_key)).has_value());
  (void)alice;
}

TEST_F(AccountServiceTest, RevokeByNonAdminIsForbiddenAndChangesNothing) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  service.Register(repo, "bob@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);
  EXPECT_EQ(CodeOf([&] { service.Revoke(repo, caller, "bob@example.com", Audit()); }), ErrorCode::kForbidden);
  EXPECT_TRUE(repo.users.at(2).active);
}

TEST_F(AccountServiceTest, RevokeByAdminDeactivatesTheAccountAndRecordsTheAdmin) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  service.Revoke(repo, admin, "Bob@Example.com", Audit());
  EXPECT_FALSE(repo.users.at(2).active);
  EXPECT_EQ(repo.audits.back().actor_user_id, std::optional<UserId>(admin.user_id));
  service.Reactivate(repo, admin, "bob@example.com", Audit());
  EXPECT_TRUE(repo.users.at(2).active);
}

TEST_F(AccountServiceTest, AdminCannotRevokeThemselves) {
  const Principal admin = Admin();
  try {
    service.Revoke(repo, admin, "ROOT@example.com", Audit());
    FAIL() << "expected an Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
    EXPECT_EQ(error.Details(), (ErrorDetails{{"field", "email"}}));
  }
  EXPECT_TRUE(repo.users.at(admin.user_id).active);
}

TEST_F(AccountServiceTest, RevokeOfUnknownEmailIsUserNotFound) {
  const Principal admin = Admin();
  EXPECT_EQ(CodeOf([&] { service.Revoke(repo, admin, "nobody@example.com", Audit()); }), ErrorCode::kUserNotFound);
}

TEST_F(AccountServiceTest, RevokeOfMalformedEmailIsValidationFailed) {
  const Principal admin = Admin();
  EXPECT_EQ(CodeOf([&] { service.Revoke(repo, admin, "nobody", Audit()); }), ErrorCode::kValidationFailed);
}

TEST_F(AccountServiceTest, StatusOfOwnKeyIncludesPendingUsage) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);  // one counted request
  const AccountStatus status = service.Status(repo, caller, std::nullopt);
  EXPECT_EQ(status.email, "alice@example.com");
  EXPECT_EQ(status.key_state, KeyState::kActive);
  EXPECT_EQ(status.usage_count, 10 + 1);
}

TEST_F(AccountServiceTest, StatusNamingOwnEmailIsAllowedForNonAdmins) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);
  EXPECT_EQ(service.Status(repo, caller, "Alice@Example.com").email, "alice@example.com");
}

TEST_F(AccountServiceTest, StatusOfAnotherEmailByNonAdminIsForbidden) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  service.Register(repo, "bob@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);
  EXPECT_EQ(CodeOf([&] { service.Status(repo, caller, "bob@example.com"); }), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf([&] { service.Status(repo, caller, "nobody@example.com"); }), ErrorCode::kForbidden)
      << "a non-admin must not learn whether another email exists";
}

TEST_F(AccountServiceTest, StatusOfAnotherEmailByAdminIsAllowed) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  repo.users.at(2).active = false;
  const AccountStatus status = service.Status(repo, admin, "bob@example.com");
  EXPECT_EQ(status.email, "bob@example.com");
  EXPECT_EQ(status.key_state, KeyState::kRevoked);
}

TEST_F(AccountServiceTest, StatusOfUnknownEmailByAdminIsUserNotFound) {
  const Principal admin = Admin();
  EXPECT_EQ(CodeOf([&] { service.Status(repo, admin, "nobody@example.com"); }), ErrorCode::kUserNotFound);
}

TEST_F(AccountServiceTest, SetPlanByNonAdminIsForbiddenAndChangesNothing) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);
  const int calls_before = repo.calls;
  EXPECT_EQ(CodeOf([&] {
              service.SetPlan(repo, caller, "alice@example.com", PlanChange{"pro", {}}, Audit());
            }),
            ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf([&] { service.ListPlans(repo, caller); }), ErrorCode::kForbidden);
  EXPECT_EQ(repo.calls, calls_before);
  EXPECT_EQ(repo.users.at(caller.user_id).plan, "free");
}

TEST_F(AccountServiceTest, SetPlanByAdminAppliesThePlanAndOverridesAndRecordsTheAdmin) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  const PlanChange change{"pro", LimitOverrides{1200, std::nullopt, 0}};
  const PlanAssignment assignment = service.SetPlan(repo, admin, " Bob@Example.com", change, Audit());
  EXPECT_EQ(assignment.email, "bob@example.com");
  EXPECT_EQ(assignment.plan, "pro");
  EXPECT_EQ(assignment.limits.requests_per_minute, 1200);
  EXPECT_EQ(assignment.limits.burst, 1000);
  EXPECT_EQ(assignment.limits.upload_bytes_per_day, 0);
  EXPECT_EQ(assignment.overrides, change.overrides);
  EXPECT_EQ(repo.users.at(2).plan, "pro");
  EXPECT_EQ(repo.audits.back().actor_user_id, std::optional<UserId>(admin.user_id));
  EXPECT_EQ(repo.audits.back().request_id, "req-1");
}

TEST_F(AccountServiceTest, ANewPlanReachesThePrincipalOnceTheCacheForgetsTheUser) {
  const Principal admin = Admin();
  const auto bob = service.Register(repo, "bob@example.com", kPassword, Audit());
  EXPECT_EQ(PrincipalFor(bob).limits.requests_per_minute, 600);
  service.SetPlan(repo, admin, "bob@example.com", PlanChange{"pro", LimitOverrides{std::nullopt, 7, std::nullopt}},
                  Audit());
  cache.ForgetUser(2);  // what the repository's NOTIFY makes every process do
  const Principal after = PrincipalFor(bob);
  EXPECT_EQ(after.plan, "pro");
  EXPECT_EQ(after.limits.requests_per_minute, 6000);
  EXPECT_EQ(after.limits.burst, 7);
  const AccountStatus status = service.Status(repo, after, std::nullopt);
  EXPECT_EQ(status.plan, "pro");
  EXPECT_EQ(status.limits.burst, 7);
}

TEST_F(AccountServiceTest, SetPlanWithANegativeOverrideFailsValidationNamingItWithoutTouchingTheRepository) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  const int calls_before = repo.calls;
  const std::pair<LimitOverrides, std::string> cases[] = {
      {LimitOverrides{-1, std::nullopt, std::nullopt}, "overrides.requests_per_minute"},
      {LimitOverrides{std::nullopt, -5, std::nullopt}, "overrides.burst"},
      {LimitOverrides{0, 0, -1}, "overrides.upload_bytes_per_day"},
  };
  for (const auto& [overrides, field] : cases) {
    try {
      service.SetPlan(repo, admin, "bob@example.com", PlanChange{"pro", overrides}, Audit());
      ADD_FAILURE() << "accepted a negative " << field;
    } catch (const Error& error) {
      EXPECT_EQ(error.Code(), ErrorCode::kValidationFailed);
      EXPECT_EQ(error.Details(), (ErrorDetails{{"field", field}}));
    }
  }
  EXPECT_EQ(repo.calls, calls_before);
  EXPECT_EQ(repo.users.at(2).plan, "free");
}

TEST_F(AccountServiceTest, SetPlanWithoutAPlanNameOrWithAMalformedEmailFailsValidation) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  EXPECT_EQ(CodeOf([&] {
              service.SetPlan(repo, admin, "bob@example.com", PlanChange{"", {}}, Audit());
            }),
            ErrorCode::kValidationFailed);
  EXPECT_EQ(CodeOf([&] {
              service.SetPlan(repo, admin, "bob", PlanChange{"pro", {}}, Audit());
            }),
            ErrorCode::kValidationFailed);
}

TEST_F(AccountServiceTest, SetPlanOfAnUnknownEmailIsUserNotFoundAndOfAnUnknownPlanIsUnknownPlan) {
  const Principal admin = Admin();
  service.Register(repo, "bob@example.com", kPassword, Audit());
  EXPECT_EQ(CodeOf([&] {
              service.SetPlan(repo, admin, "nobody@example.com", PlanChange{"pro", {}}, Audit());
            }),
            ErrorCode::kUserNotFound);
  EXPECT_EQ(CodeOf([&] {
              service.SetPlan(repo, admin, "bob@example.com", PlanChange{"gold", {}}, Audit());
            }),
            ErrorCode::kUnknownPlan);
  EXPECT_EQ(repo.users.at(2).plan, "free");
}

TEST_F(AccountServiceTest, ListPlansGivesAdminsEveryPlan) {
  const Principal admin = Admin();
  const auto plans = service.ListPlans(repo, admin);
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].name, "free");
  EXPECT_EQ(plans[1].limits.requests_per_minute, 6000);
}

TEST_F(AccountServiceTest, ListUsersIsForAdminsOnly) {
  const auto alice = service.Register(repo, "alice@example.com", kPassword, Audit());
  const Principal caller = PrincipalFor(alice);
  EXPECT_EQ(CodeOf([&] { ListUsers(repo, caller, UserFilter{}); }), ErrorCode::kForbidden);
  EXPECT_FALSE(repo.last_user_query);
}

TEST_F(AccountServiceTest, ListUsersPassesTheValidatedFiltersOn) {
  const Principal admin = Admin();
  ListUsers(repo, admin, UserFilter{"ali", "revoked", 2, 5});
  ASSERT_TRUE(repo.last_user_query);
  EXPECT_EQ(repo.last_user_query->email_contains, "ali");
  EXPECT_EQ(repo.last_user_query->active, false);
  EXPECT_EQ(repo.last_user_query->page, 2);
  EXPECT_EQ(repo.last_user_query->limit, 5);
}

TEST(KeyState, HasStableNames) {
  EXPECT_EQ(ToString(KeyState::kActive), "active");
  EXPECT_EQ(ToString(KeyState::kInactive), "inactive");
  EXPECT_EQ(ToString(KeyState::kRevoked), "revoked");
}

}  // namespace
}  // namespace gw::domain

namespace gw::domain {
namespace {

class StatusSnapshotTest : public ::testing::Test {
 protected:
  CountingRandom random;
  KeyCache cache{60s, 1000, 1s};
  UsageCounter usage;
  AccountService service{std::string(kPepper), random, cache, usage, kCheap};
  FakeRepository repo;
};

TEST_F(StatusSnapshotTest, OwnStatusIsReadOnceAndKeptUpToDateWithThisProcessCounts) {
  const auto issued = service.Register(repo, "carol@example.com", kPassword, {"r", "a", std::nullopt});
  const Principal caller = service.Authenticate(repo, issued.api_key);  // counts 1, pending
  const int calls_before = repo.calls;
  const std::int64_t stored = service.Status(repo, caller, std::nullopt).usage_count;  // 10 + 1 pending
  EXPECT_EQ(stored, 11);
  EXPECT_EQ(repo.calls, calls_before + 1);
  // The flusher takes and confirms the pending count; the snapshot is not read again.
  const auto deltas = usage.TakeAll();
  usage.Confirm(deltas);
  usage.Add(caller.user_id, 2);
  EXPECT_EQ(service.Status(repo, caller, std::nullopt).usage_count, 13);
  EXPECT_EQ(repo.calls, calls_before + 1);
}

TEST_F(StatusSnapshotTest, RevocationDropsTheSnapshot) {
  const auto issued = service.Register(repo, "dave@example.com", kPassword, {"r", "a", std::nullopt});
  const Principal caller = service.Authenticate(repo, issued.api_key);
  EXPECT_EQ(service.Status(repo, caller, std::nullopt).key_state, KeyState::kActive);
  for (auto& [id, user] : repo.users) user.active = false;  // another process revoked it ...
  cache.ForgetUser(caller.user_id);                         // ... and its NOTIFY arrived
  EXPECT_EQ(service.Status(repo, caller, std::nullopt).key_state, KeyState::kRevoked);
}

TEST(KeyCacheStatus, ExpiresAfterTheStatusTtl) {
  KeyCache cache(60s, 10, 1s);
  const auto now = KeyCache::Clock::now();
  cache.StoreStatus(5, {AccountStatus{}, 0}, now);
  EXPECT_TRUE(cache.FindStatus(5, now + 999ms));
  EXPECT_FALSE(cache.FindStatus(5, now + 1s));
}

TEST(UsageCounterConfirm, FlushedTotalsOnlyGrow) {
  UsageCounter counter;
  counter.Add(1, 3);
  const auto deltas = counter.TakeAll();
  EXPECT_EQ(counter.Flushed(1), 0);
  counter.Confirm(deltas);
  EXPECT_EQ(counter.Flushed(1), 3);
  EXPECT_EQ(counter.Pending(1), 0);
}

}  // namespace
}  // namespace gw::domain
