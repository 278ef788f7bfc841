#pragma once
// Users and sign-in sessions of the review station, kept in the review store's database
// (SQLite or PostgreSQL, the same URL as ReviewStore). Passwords are hashed with Argon2id
// (libargon2, its own encoded string with salt and cost); session tokens are random and
// only their SHA-256 is stored, so a copy of the database signs nobody in. Every session
// carries its own CSRF token, which every request that changes something must echo.
// One Accounts object holds one database session: use one per thread.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct StoreSession;

enum class Role { operator_, reviewer, admin };
const char* to_string(Role role);
Role role_from_name(const std::string& name);  // throws formscan::Error accounts.role

struct User {
    std::string name;
    Role role = Role::reviewer;
};

struct SignIn {
    User user;
    std::string token;  // the cookie's value; never stored as such
    std::string csrf;   // the page sends it back in X-CSRF-Token
};

class Accounts {
public:
    explicit Accounts(const std::string& store_url);  // creates the tables when missing
    ~Accounts();
    Accounts(const Accounts&) = delete;
    Accounts& operator=(const Accounts&) = delete;

    // Adds a user or, when the name exists, sets their password and role.
    // Throws accounts.password when the password is shorter than 8 characters.
    void set_user(const std::string& name, const std::string& password, Role role);
    std::vector<User> users();
    bool remove_user(const std::string& name);

    // A new session when name and password match; nothing otherwise (the same for an
    // unknown name as for a wrong password).
    std::optional<SignIn> sign_in(const std::string& name, const std::string& password, std::chrono::seconds lifetime);
    // The session of a token, while it lasts and its user exists.
    std::optional<SignIn> session(const std::string& token);
    void sign_out(const std::string& token);

private:
    std::unique_ptr<StoreSession> db_;
};

}  // namespace formscan
