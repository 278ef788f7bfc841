#pragma once
// Opening the store's database from its URL, shared by ReviewStore and Accounts:
// "sqlite:PATH" (the default scheme) or "postgresql:CONNECTION" (libpq's
// "host=... dbname=... user=...").
#include <Poco/Data/Session.h>

#include <memory>
#include <string>

namespace formscan {

struct StoreSession {
    std::unique_ptr<Poco::Data::Session> session;
    bool postgres = false;

    // "?" placeholders as the backend wants them (libpq numbers its own).
    std::string sql(const std::string& text) const;
    // Column types that differ between the backends.
    std::string id_column() const { return postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"; }
    std::string blob_type() const { return postgres ? "BYTEA" : "BLOB"; }
    void execute(const std::string& text) { *session << text, Poco::Data::Keywords::now; }
    void begin_write() { execute(postgres ? "BEGIN" : "BEGIN IMMEDIATE"); }
};

// Throws formscan::Error store.open (the URL masked for PostgreSQL, whose connection
// string may hold a password).
StoreSession open_store_session(const std::string& url);

}  // namespace formscan
