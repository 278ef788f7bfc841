#include "formscan/accounts.hpp"

#include "formscan/error.hpp"
#include "formscan/store_session.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/RandomStream.h>
#include <argon2.h>

#include <array>

using namespace Poco::Data::Keywords;

namespace formscan {

namespace {

// OWASP's first recommended Argon2id setting: 19 MiB, 2 passes, 1 lane.
constexpr std::uint32_t kArgonPasses = 2;
constexpr std::uint32_t kArgonMemoryKiB = 19 * 1024;
constexpr std::uint32_t kArgonLanes = 1;
constexpr std::size_t kSaltBytes = 16, kHashBytes = 32;

std::string random_hex(std::size_t bytes) {
    Poco::RandomInputStream random;
    std::vector<unsigned char> buffer(bytes);
    random.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(bytes));
    return Poco::DigestEngine::digestToHex(buffer);
}

std::string hash_password(const std::string& password) {
    std::array<unsigned char, kSaltBytes> salt{};
    Poco::RandomInputStream().read(reinterpret_cast<char*>(salt.data()), salt.size());
    std::string encoded(argon2_encodedlen(kArgonPasses, kArgonMemoryKiB, kArgonLanes, kSaltBytes, kHashBytes, Argon2_id), '\0');
    int rc = argon2id_hash_encoded(kArgonPasses, kArgonMemoryKiB, kArgonLanes, password.data(), password.size(), salt.data(),
                                   salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) throw Error("formscan.accounts.hash", std::string("Argon2id failed: ") + argon2_error_message(rc));
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool verify_password(const std::string& encoded, const std::string& password) {
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Poco::Int64 now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

const char* to_string(Role role) {
    switch (role) {
        case Role::operator_: return "operator";
        case Role::reviewer: return "reviewer";
        case Role::admin: return "admin";
    }
    return "?";
}

Role role_from_name(const std::string& name) {
    for (Role r : {Role::operator_, Role::reviewer, Role::admin})
        if (name == to_string(r)) return r;
    throw Error("formscan.accounts.role", "unknown role \"" + name + "\" (operator, reviewer or admin)");
}

Accounts::Accounts(const std::string& store_url) : db_(std::make_unique<StoreSession>(open_store_session(store_url))) {
    db_->execute("CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL)");
    db_->execute("CREATE TABLE IF NOT EXISTS sessions (token_sha256 TEXT PRIMARY KEY, user_name TEXT NOT NULL, "
                 "csrf TEXT NOT NULL, expires BIGINT NOT NULL)");
}

Accounts::~Accounts() = default;

void Accounts::set_user(const std::string& name, const std::string& password, Role role) {
    if (name.empty() || name.size() > 64) throw Error("formscan.accounts.name", "a user name has 1 to 64 characters");
    if (password.size() < 8) throw Error("formscan.accounts.password", "a password has at least 8 characters");
    std::string who = name, hash = hash_password(password), role_name = to_string(role);
    db_->begin_write();
    try {
        *db_->session << db_->sql("DELETE FROM users WHERE name = ?"), use(who), now;
        *db_->session << db_->sql("INSERT INTO users (name, password, role) VALUES (?, ?, ?)"), use(who), use(hash), use(role_name), now;
        // A new password ends the user's sessions.
        *db_->session << db_->sql("DELETE FROM sessions WHERE user_name = ?"), use(who), now;
        db_->execute("COMMIT");
    } catch (...) {
        db_->execute("ROLLBACK");
        throw;
    }
}

std::vector<User> Accounts::users() {
    std::vector<std::string> names, roles;
    *db_->session << "SELECT name, role FROM users ORDER BY name", into(names), into(roles), now;
    std::vector<User> out;
    for (std::size_t i = 0; i < names.size(); ++i) out.push_back({names[i], role_from_name(roles[i])});
    return out;
}

bool Accounts::remove_user(const std::string& name) {
    std::string who = name;
    db_->begin_write();
    *db_->session << db_->sql("DELETE FROM sessions WHERE user_name = ?"), use(who), now;
    Poco::Data::Statement remove(*db_->session);
    remove << db_->sql("DELETE FROM users WHERE name = ?"), use(who);
    std::size_t removed = remove.execute();
    db_->execute("COMMIT");
    return removed > 0;
}

std::optional<SignIn> Accounts::sign_in(const std::string& name, const std::string& password, std::chrono::seconds lifetime) {
    std::string who = name;
    std::vector<std::string> hashes, roles;
    *db_->session << db_->sql("SELECT password, role FROM users WHERE name = ?"), use(who), into(hashes), into(roles), now;
    // An unknown name costs the same hashing as a wrong password, so timing tells nothing.
    static const std::string decoy = hash_password(random_hex(16));
    const bool ok = verify_password(hashes.empty() ? decoy : hashes.front(), password) && !hashes.empty();
    if (!ok) return std::nullopt;
    SignIn in{{name, role_from_name(roles.front())}, random_hex(32), random_hex(32)};
    std::string token_hash = sha256_hex(in.token), csrf = in.csrf;
    Poco::Int64 t = now_seconds(), expires = t + static_cast<Poco::Int64>(lifetime.count());
    db_->begin_write();
    *db_->session << db_->sql("DELETE FROM sessions WHERE expires < ?"), use(t), now;
    *db_->session << db_->sql("INSERT INTO sessions (token_sha256, user_name, csrf, expires) VALUES (?, ?, ?, ?)"), use(token_hash),
        use(who), use(csrf), use(expires), now;
    db_->execute("COMMIT");
    return in;
}

std::optional<SignIn> Accounts::session(const std::string& token) {
    if (token.size() != 64) return std::nullopt;
    std::string token_hash = sha256_hex(token);
    Poco::Int64 t = now_seconds();
    std::vector<std::string> names, roles, csrfs;
    *db_->session << db_->sql("SELECT s.user_name, u.role, s.csrf FROM sessions s JOIN users u ON u.name = s.user_name "
                              "WHERE s.token_sha256 = ? AND s.expires >= ?"),
        use(token_hash), use(t), into(names), into(roles), into(csrfs), now;
    if (names.empty()) return std::nullopt;
    return SignIn{{names.front(), role_from_name(roles.front())}, token, csrfs.front()};
}

void Accounts::sign_out(const std::string& token) {
    std::string token_hash = sha256_hex(token);
    *db_->session << db_->sql("DELETE FROM sessions WHERE token_sha256 = ?"), use(token_hash), now;
}

}  // namespace formscan
