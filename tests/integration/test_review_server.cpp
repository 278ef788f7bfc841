// The review station's server and accounts, over real HTTP on 127.0.0.1 (port 0) with a
// real SQLite store. The browser side is tested by tests/e2e (headless Chromium).
#include "formscan/accounts.hpp"
#include "formscan/error.hpp"
#include "formscan/review_store.hpp"
#include "formscan/stage.hpp"
#include "review_client.hpp"
#include "review_server.hpp"
#include "test_support.hpp"

#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

using namespace formscan;

namespace {

using Reply = ReviewReply;

struct Client : ReviewClient {
    explicit Client(unsigned short port) : ReviewClient("127.0.0.1", port) {}
};

// A store with one page: in each of three rows the phone (to review) and the name (ok).
std::string make_store(const std::string& dir) {
    const std::string url = "sqlite:" + dir + "/store.sqlite";
    const auto& form = test::templates().at("zj-hedui");
    Page page;
    page.source = dir + "/scan.png";
    page.image = cv::Mat(600, 900, CV_8UC1, cv::Scalar(255));
    std::vector<Record> records;
    for (int row = 1; row <= 3; ++row) {
        Record rec = make_empty_record(form, page, row);
        for (auto& f : rec.fields) {
            f.status = FieldStatus::ok;
            f.confidence = 1;
            f.reader = "test";
        }
        rec.at("pension").value = std::string("√");
        rec.at("medical").value = std::string("√");
        Field& phone = rec.at("phone");
        phone.value = std::string("1380000000");  // one digit short
        phone.status = FieldStatus::review;
        phone.confidence = 0.2 + 0.1 * row;
        phone.box = cv::Rect(100, 100 * row, 200, 40);
        phone.alternatives = {{"13800000001", 0.4}, {"1380000000", 0.3}};
        records.push_back(rec);
    }
    ReviewStore(url).add_page(page, records);
    Accounts accounts(url);
    accounts.set_user("alice", "alice-password", Role::reviewer);
    accounts.set_user("bob", "bob-password", Role::reviewer);
    accounts.set_user("root", "root-password", Role::admin);
    accounts.set_user("olga", "olga-password", Role::operator_);
    return url;
}

class ReviewServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = test::temp_dir("review_server");
        ReviewServerOptions options;
        options.store_url = make_store(dir_);
        options.web_dir = std::string(FORMSCAN_SOURCE_DIR_FOR_TESTS) + "/web";
        options.plugin_dir = test::plugin_dir();
        options.templates_dir = test::templates_dir();
        options.port = 0;
        server_ = std::make_unique<ReviewServer>(options);
        server_->start();
    }
    void TearDown() override { server_->stop(); }

    std::string dir_;
    std::unique_ptr<ReviewServer> server_;
};

}  // namespace

TEST(Accounts, PasswordsAreArgon2idAndSessionTokensAreNotStored) {
    const std::string dir = test::temp_dir("accounts");
    Accounts accounts("sqlite:" + dir + "/a.sqlite");
    accounts.set_user("alice", "alice-password", Role::reviewer);
    EXPECT_THROW(accounts.set_user("short", "1234567", Role::reviewer), Error);
    EXPECT_FALSE(accounts.sign_in("alice", "wrong-password", std::chrono::seconds(60)));
    EXPECT_FALSE(accounts.sign_in("nobody", "alice-password", std::chrono::seconds(60)));
    auto in = accounts.sign_in("alice", "alice-password", std::chrono::seconds(60));
    ASSERT_TRUE(in);
    EXPECT_EQ(in->user.role, Role::reviewer);
    EXPECT_EQ(in->token.size(), 64u);
    EXPECT_NE(in->token, in->csrf);
    ASSERT_TRUE(accounts.session(in->token));
    EXPECT_EQ(accounts.session(in->token)->csrf, in->csrf);

    Poco::Data::Session db("SQLite", dir + "/a.sqlite");
    std::string hash, stored_token;
    db << "SELECT password FROM users WHERE name = 'alice'", Poco::Data::Keywords::into(hash), Poco::Data::Keywords::now;
    db << "SELECT token_sha256 FROM sessions", Poco::Data::Keywords::into(stored_token), Poco::Data::Keywords::now;
    EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
    EXPECT_EQ(hash.find("alice-password"), std::string::npos);
    EXPECT_NE(stored_token, in->token);

    // A new password ends the sessions; an expired session is gone.
    accounts.set_user("alice", "new-password!", Role::admin);
    EXPECT_FALSE(accounts.session(in->token));
    auto brief = accounts.sign_in("alice", "new-password!", std::chrono::seconds(-1));
    ASSERT_TRUE(brief);
    EXPECT_FALSE(accounts.session(brief->token));
    accounts.sign_out(brief->token);
}

TEST_F(ReviewServerTest, SignInSetsAStrictHttpOnlyCookie) {
    Client c(server_->port());
    EXPECT_EQ(c.call("GET", "/api/session").status, 401);
    EXPECT_EQ(c.sign_in("alice", "not-it").status, 401);
    Reply r = c.sign_in("alice", "alice-password");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_NE(r.set_cookie.find("HttpOnly"), std::string::npos) << r.set_cookie;
    EXPECT_NE(r.set_cookie.find("SameSite=Strict"), std::string::npos) << r.set_cookie;
    EXPECT_EQ(c.call("GET", "/api/session").json()->getValue<std::string>("role"), "reviewer");
    // Sign-in takes JSON only: a cross-site form post cannot sign anybody in.
    Client form(server_->port());
    EXPECT_EQ(form.call("POST", "/api/session", "name=alice&password=alice-password", true, "application/x-www-form-urlencoded").status, 415);
}

TEST_F(ReviewServerTest, ChangesNeedTheCsrfTokenAndTheRole) {
    Client alice(server_->port());
    ASSERT_EQ(alice.sign_in("alice", "alice-password").status, 200);
    Reply refused = alice.call("POST", "/api/items/next", "", false);
    EXPECT_EQ(refused.status, 403);
    EXPECT_NE(refused.body.find("CSRF"), std::string::npos);
    // A refused request's body must not be taken for the next request on the connection.
    EXPECT_EQ(alice.call("POST", "/api/users", R"({"name":"x","password":"xxxxxxxxx","role":"admin"})").status, 403);
    EXPECT_EQ(alice.call("GET", "/api/users").status, 403);
    EXPECT_EQ(alice.call("GET", "/admin.html").status, 403);
    EXPECT_EQ(alice.call("GET", "/").status, 200);
    EXPECT_EQ(alice.call("GET", "/../CMakeLists.txt").status, 404);

    Client olga(server_->port());
    ASSERT_EQ(olga.sign_in("olga", "olga-password").status, 200);
    EXPECT_EQ(olga.call("POST", "/api/items/next").status, 403) << "an operator does not review";
    EXPECT_EQ(olga.call("GET", "/api/stats").status, 200);

    Client root(server_->port());
    ASSERT_EQ(root.sign_in("root", "root-password").status, 200);
    EXPECT_EQ(root.call("GET", "/admin.html").status, 200);
    EXPECT_EQ(root.call("POST", "/api/users", R"({"name":"carol","password":"carol-password","role":"reviewer"})").status, 200);
    Client carol(server_->port());
    EXPECT_EQ(carol.sign_in("carol", "carol-password").status, 200);
    EXPECT_EQ(root.call("POST", "/api/users", R"({"name":"dave","password":"x","role":"reviewer"})").status, 400);
    EXPECT_EQ(root.call("POST", "/api/users", "{not json").status, 400);
    EXPECT_EQ(root.call("POST", "/api/users", std::string(70 * 1024, ' ')).status, 413);
}

TEST_F(ReviewServerTest, ACorrectionIsValidatedAgainAndTheRecordTurnsOk) {
    Client alice(server_->port());
    ASSERT_EQ(alice.sign_in("alice", "alice-password").status, 200);
    Reply next = alice.call("POST", "/api/items/next");
    ASSERT_EQ(next.status, 200) << next.body;
    auto item = next.json();
    EXPECT_EQ(item->getValue<std::string>("field"), "phone");
    EXPECT_EQ(item->getValue<std::string>("label"), "手机(联系电话)");
    EXPECT_EQ(item->getArray("alternatives")->size(), 2u);
    const std::string id = std::to_string(item->getValue<long>("id"));
    Reply crop = alice.call("GET", "/api/items/" + id + "/crop");
    EXPECT_EQ(crop.status, 200);
    EXPECT_EQ(crop.body.substr(1, 3), "PNG");

    // One digit short: the phone rule fails, nothing is saved, the reason is given (masked).
    Reply bad = alice.call("POST", "/api/items/" + id + "/correct", R"({"value":"1380000000","keystrokes":1})");
    EXPECT_EQ(bad.status, 422);
    EXPECT_NE(bad.body.find("phone.format"), std::string::npos) << bad.body;
    EXPECT_EQ(bad.body.find("1380000000"), std::string::npos) << "the number is masked: " << bad.body;
    Reply good = alice.call("POST", "/api/items/" + id + "/correct", R"({"value":"13800000001","keystrokes":2})");
    ASSERT_EQ(good.status, 200) << good.body;
    EXPECT_EQ(good.json()->getValue<std::string>("record_status"), "ok");
    Reply again = alice.call("POST", "/api/items/" + id + "/correct", R"({"value":"13800000002"})");
    EXPECT_EQ(again.status, 409) << "the item is closed";

    Reply history = alice.call("GET", "/api/items/" + id + "/history");
    EXPECT_NE(history.body.find("\"reviewer\":\"alice\""), std::string::npos) << history.body;
    EXPECT_NE(history.body.find("13800000001"), std::string::npos);

    // Forced: a value the rules refuse is kept when the reviewer insists (the form says so).
    auto second = alice.call("POST", "/api/items/next").json();
    const std::string id2 = std::to_string(second->getValue<long>("id"));
    Reply forced = alice.call("POST", "/api/items/" + id2 + "/correct", R"({"value":"12345","force":true})");
    EXPECT_EQ(forced.status, 200);
    EXPECT_EQ(forced.json()->getValue<std::string>("record_status"), "invalid");

    Reply stats = alice.call("GET", "/api/stats");
    EXPECT_EQ(stats.json()->getValue<long>("done"), 2);
    EXPECT_EQ(stats.json()->getValue<long>("open"), 1);
    Reply exported = alice.call("GET", "/api/export?format=jsonl");
    ASSERT_EQ(exported.status, 200);
    EXPECT_NE(exported.body.find("13800000001"), std::string::npos);
    EXPECT_EQ(alice.call("GET", "/api/export?format=pdf").status, 400);
}

TEST_F(ReviewServerTest, TwoReviewersNeverGetTheSameItem) {
    std::vector<long> got[2];
    auto review = [&](int who, const std::string& name) {
        Client c(server_->port());
        ASSERT_EQ(c.sign_in(name, name + "-password").status, 200);
        for (Reply r = c.call("POST", "/api/items/next"); r.status == 200; r = c.call("POST", "/api/items/next")) {
            long id = r.json()->getValue<long>("id");
            got[who].push_back(id);
            c.call("POST", "/api/items/" + std::to_string(id) + "/correct", R"({"value":"13800000001"})");
        }
    };
    std::thread a(review, 0, "alice"), b(review, 1, "bob");
    a.join();
    b.join();
    std::set<long> all(got[0].begin(), got[0].end());
    for (long id : got[1]) EXPECT_TRUE(all.insert(id).second) << "item " << id << " given twice";
    EXPECT_EQ(all.size(), 3u);
}
