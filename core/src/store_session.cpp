#include "formscan/store_session.hpp"

#include "formscan/error.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>

#include <mutex>

using namespace Poco::Data::Keywords;

namespace formscan {

StoreSession open_store_session(const std::string& url) {
    static std::once_flag once;
    std::call_once(once, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
    StoreSession store;
    std::string connector = "SQLite", connection = url;
    if (url.rfind("postgresql:", 0) == 0) {
        connector = "PostgreSQL";
        connection = url.substr(11);
        store.postgres = true;
    } else if (url.rfind("sqlite:", 0) == 0) {
        connection = url.substr(7);
    }
    try {
        // A database that cannot be reached is an error within seconds, not a minute.
        store.session = std::make_unique<Poco::Data::Session>(connector, connection, 5);
        // "relation already exists, skipping" and the like are not for the user's terminal.
        if (store.postgres) store.execute("SET client_min_messages TO warning");
        if (!store.postgres) {
            // Several processes at once: readers never block the writer, and a writer
            // waits for another instead of failing.
            std::string mode;
            *store.session << "PRAGMA journal_mode=WAL", into(mode), now;
            store.execute("PRAGMA busy_timeout=10000");
        }
    } catch (const Poco::Exception& e) {
        throw Error("formscan.store.open", "cannot open the store " + (store.postgres ? std::string("(PostgreSQL)") : url) +
                                               ": " + e.displayText());
    }
    return store;
}

std::string StoreSession::sql(const std::string& text) const {
    if (!postgres) return text;
    std::string out;
    int n = 0;
    for (char c : text) out += c == '?' ? "$" + std::to_string(++n) : std::string(1, c);
    return out;
}

}  // namespace formscan
