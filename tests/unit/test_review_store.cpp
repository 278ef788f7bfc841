#include "formscan/error.hpp"
#include "formscan/review_store.hpp"
#include "formscan/stage.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <unistd.h>
#include <thread>

using namespace formscan;

namespace {

// A page of `rows` records, each with `open` fields to review (the rest ok).
std::vector<Record> page_records(const Page& page, int rows, int open) {
    const auto& form = test::templates().at("zj-hedui");
    std::vector<Record> out;
    for (int r = 1; r <= rows; ++r) {
        Record rec = make_empty_record(form, page, r);
        int k = 0;
        for (auto& f : rec.fields) {
            f.value = std::string("v") + std::to_string(r);
            f.box = cv::Rect(10 * k, 10 * r, 30, 20);
            f.status = k < open ? FieldStatus::review : FieldStatus::ok;
            f.confidence = k < open ? 0.1 * (k + 1) + 0.01 * r : 0.999;
            ++k;
        }
        out.push_back(rec);
    }
    return out;
}

Page test_page(const std::string& source) {
    Page p;
    p.source = source;
    p.image = cv::Mat(400, 600, CV_8UC1, cv::Scalar(255));
    return p;
}

// Two reviewers (one session each, as two processes would have) claim and correct until
// the queue is empty; returns the ids each got.
std::array<std::vector<long>, 2> review_concurrently(const std::string& url) {
    std::array<std::vector<long>, 2> got;
    auto reviewer = [&](int who) {
        ReviewStore store(url);
        const std::string name = "reviewer" + std::to_string(who);
        while (auto item = store.claim_next(name, std::chrono::seconds(60))) {
            got[who].push_back(item->id);
            std::this_thread::sleep_for(std::chrono::milliseconds(3));  // a person reads the crop
            store.correct(item->id, name, {"ok" + std::to_string(item->id)});
        }
    };
    std::thread a(reviewer, 0), b(reviewer, 1);
    a.join();
    b.join();
    return got;
}

// Every id once, whoever got it.
std::set<long> distinct(const std::array<std::vector<long>, 2>& got) {
    std::set<long> all(got[0].begin(), got[0].end());
    for (long id : got[1]) EXPECT_TRUE(all.insert(id).second) << "item " << id << " given twice";
    return all;
}

}  // namespace

TEST(ReviewStore, ThePostgreSqlBackendQueuesClaimsAndAuditsTheSameWay) {
    test::TestPostgres server;
    {
        ReviewStore store(server.url());
        Page page = test_page("scans/pg.png");
        store.add_page(page, page_records(page, 6, 3));  // 18 items
        EXPECT_EQ(store.open_items(), 18);
    }
    std::set<long> all = distinct(review_concurrently(server.url()));
    EXPECT_EQ(all.size(), 18u);
    ReviewStore store(server.url());
    EXPECT_EQ(store.open_items(), 0);
    auto history = store.history(*all.begin());
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].new_value, "ok" + std::to_string(*all.begin()));
    EXPECT_EQ(store.records().size(), 6u);
}

TEST(ReviewStore, QueuesFieldsToReviewLeastCertainFirstAndAuditsCorrections) {
    std::string url = "sqlite:" + test::temp_dir("store") + "/review.db";
    ReviewStore store(url);
    Page page = test_page("scans/a.png");
    store.add_page(page, page_records(page, 3, 2));
    EXPECT_EQ(store.open_items(), 6);

    auto item = store.claim_next("alice", std::chrono::seconds(60));
    ASSERT_TRUE(item);
    EXPECT_NEAR(item->confidence, 0.11, 1e-9) << "the least certain first";
    EXPECT_EQ(item->source, "scans/a.png");
    EXPECT_FALSE(item->crop_png.empty()) << "the field's crop comes with it";

    EXPECT_THROW(store.correct(item->id, "bob", {"x"}), Error) << "only the holder may correct";
    store.correct(item->id, "alice", {"沈宇斌"});
    EXPECT_EQ(store.open_items(), 5);
    auto history = store.history(item->id);
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].reviewer, "alice");
    EXPECT_EQ(history[0].old_value, item->value);
    EXPECT_EQ(history[0].new_value, "沈宇斌");

    // The correction is in the record, and survives the process (a new store on the file).
    ReviewStore reopened(url);
    auto records = reopened.records();
    ASSERT_EQ(records.size(), 3u);
    const Field& corrected = records[item->row - 1].at(item->field);
    EXPECT_EQ(corrected.text(), "沈宇斌");
    EXPECT_EQ(corrected.status, FieldStatus::ok);
    EXPECT_EQ(corrected.reader, "review");
    EXPECT_EQ(reopened.open_items(), 5);
}

TEST(ReviewStore, TwoReviewersNeverGetTheSameItemAndALapsedClaimGoesToAnother) {
    std::string url = "sqlite:" + test::temp_dir("store2") + "/review.db";
    {
        ReviewStore store(url);
        Page page = test_page("scans/b.png");
        store.add_page(page, page_records(page, 10, 4));  // 40 items
    }
    auto got = review_concurrently(url);
    std::set<long> all = distinct(got);
    EXPECT_EQ(all.size(), 40u);
    EXPECT_FALSE(got[0].empty());
    EXPECT_FALSE(got[1].empty());

    ReviewStore store(url);
    Page page = test_page("scans/c.png");
    store.add_page(page, page_records(page, 1, 1));
    auto held = store.claim_next("carol", std::chrono::seconds(0));
    ASSERT_TRUE(held);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto again = store.claim_next("dave", std::chrono::seconds(60));
    ASSERT_TRUE(again) << "carol's claim lapsed";
    EXPECT_EQ(again->id, held->id);
    EXPECT_THROW(store.correct(held->id, "carol", {"late"}), Error);
}

TEST(ReviewStore, AnUnreachableDatabaseIsAClearError) {
    try {
        ReviewStore store("sqlite:/nonexistent/folder/review.db");
        FAIL() << "opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), "formscan.store.open");
    }
}
