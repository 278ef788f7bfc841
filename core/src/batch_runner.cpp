#include "formscan/batch_runner.hpp"

#include "formscan/journal.hpp"
#include "formscan/batch_rules.hpp"
#include "formscan/review_store.hpp"

#include "formscan/error.hpp"
#include "formscan/logging.hpp"
#include "formscan/masking.hpp"
#include "formscan/record_json.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

namespace formscan {

namespace fs = std::filesystem;

namespace {

bool looks_like_scan(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char head[1024] = {};
    in.read(head, sizeof head);
    return sniff_format(head, static_cast<std::size_t>(in.gcount())) != FileFormat::unknown;
}

struct WorkItem {
    long seq = 0;
    Page page;
    std::string signature;  // of the page's file, for the journal
};

// A bounded queue of decoded pages: the reader blocks when workers fall behind, so
// at most `capacity` decoded pages wait in memory whatever the batch size.
class PageQueue {
public:
    explicit PageQueue(std::size_t capacity) : capacity_(capacity) {}
    void push(WorkItem item) {
        std::unique_lock lock(mutex_);
        not_full_.wait(lock, [&] { return items_.size() < capacity_; });
        items_.push_back(std::move(item));
        not_empty_.notify_one();
    }
    std::optional<WorkItem> pop() {
        std::unique_lock lock(mutex_);
        not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
        if (items_.empty()) return std::nullopt;
        WorkItem item = std::move(items_.front());
        items_.pop_front();
        not_full_.notify_one();
        return item;
    }
    void close() {
        std::lock_guard lock(mutex_);
        closed_ = true;
        not_empty_.notify_all();
    }

private:
    std::size_t capacity_;
    std::deque<WorkItem> items_;
    bool closed_ = false;
    std::mutex mutex_;
    std::condition_variable not_empty_, not_full_;
};

// Writes each page's records in input order, whatever order workers finish in, after the
// rules that look across the batch (they need the input order to be repeatable).
class OrderedWriter {
public:
    explicit OrderedWriter(std::ostream& out) : out_(out) {}
    void put(long seq, std::vector<Record> records) {
        std::lock_guard lock(mutex_);
        pending_[seq] = std::move(records);
        while (!pending_.empty() && pending_.begin()->first == next_) {
            for (auto& record : pending_.begin()->second) {
                rules_.check(record);
                out_ << record_to_json_line(record) << '\n';
            }
            records_ += static_cast<int>(pending_.begin()->second.size());
            pending_.erase(pending_.begin());
            ++next_;
        }
        out_.flush();
    }
    int records() const { return records_; }

private:
    std::ostream& out_;
    std::mutex mutex_;
    std::map<long, std::vector<Record>> pending_;
    BatchRules rules_;
    long next_ = 0;
    int records_ = 0;
};

class Progress {
public:
    Progress(bool enabled, int total) : enabled_(enabled), total_(total), start_(clock::now()) {}
    void page_done(bool skipped) {
        std::lock_guard lock(mutex_);
        ++done_;
        if (skipped) ++skipped_;
        if (!enabled_) return;
        auto now = clock::now();
        if (now - last_ < std::chrono::milliseconds(200) && done_ != total_) return;
        last_ = now;
        draw(now);
    }
    void finish() {
        if (!enabled_) return;
        draw(clock::now());
        std::fputc('\n', stderr);
    }

private:
    using clock = std::chrono::steady_clock;
    void draw(clock::time_point now) {
        double secs = std::chrono::duration<double>(now - start_).count();
        double rate = secs > 0 ? done_ / secs : 0;
        char eta[32] = "?";
        if (rate > 0 && total_ >= done_) {
            int left = static_cast<int>((total_ - done_) / rate + 0.5);
            std::snprintf(eta, sizeof eta, "%d:%02d", left / 60, left % 60);
        }
        std::fprintf(stderr, "\rpages %d/%d%s  %.2f pages/s  %s left   ", done_, total_,
                     skipped_ ? (" (" + std::to_string(skipped_) + " skipped)").c_str() : "", rate, eta);
        std::fflush(stderr);
    }
    bool enabled_;
    int total_;
    int done_ = 0, skipped_ = 0;
    clock::time_point start_, last_;
    std::mutex mutex_;
};

// The straightened page with every field's box: blue where the field is ok, red
// where a person must look. For diagnosing layouts; never part of the records.
void write_debug_page(const std::string& dir, const Page& page, const std::vector<Record>& records) {
    if (page.image.empty()) return;
    cv::Mat out;
    cv::cvtColor(page.image, out, cv::COLOR_GRAY2BGR);
    for (const auto& record : records)
        for (const auto& f : record.fields)
            if (f.box.area() > 0)
                cv::rectangle(out, f.box, f.status == FieldStatus::ok ? cv::Scalar(255, 0, 0) : cv::Scalar(0, 0, 255), 2);
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string name = fs::path(page.source).filename().string() + "_p" + std::to_string(page.index);
    cv::imwrite((fs::path(dir) / (name + ".png")).string(), out);
    // The straightened page as the readers saw it, without the boxes.
    cv::imwrite((fs::path(dir) / (name + "_prepared.png")).string(), page.image);
}

}  // namespace

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
    std::vector<std::string> files;
    for (const auto& input : inputs) {
        std::error_code ec;
        if (fs::is_directory(input, ec)) {
            std::vector<std::string> found;
            for (auto it = fs::recursive_directory_iterator(input, fs::directory_options::skip_permission_denied, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec) break;
                // In a folder, only files whose content is a scan: notes and truth files are passed over.
                if (it->is_regular_file() && looks_like_scan(it->path())) found.push_back(it->path().string());
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(input, ec)) {
            files.push_back(input);
        } else {
            throw Error("formscan.input.not_found", "no such file or folder: " + input);
        }
    }
    return files;
}

const FormTemplate& choose_template(const std::map<std::string, FormTemplate>& templates, const std::string& wanted,
                                    const cv::Mat& page, const std::vector<std::string>& readable) {
    if (wanted != "auto") {
        auto it = templates.find(wanted);
        if (it == templates.end()) throw Error("formscan.template.unknown", "no template \"" + wanted + "\"");
        return it->second;
    }
    std::vector<const FormTemplate*> candidates;
    for (const auto& [id, form] : templates)
        if (readable.empty() || std::find(readable.begin(), readable.end(), id) != readable.end()) candidates.push_back(&form);
    if (candidates.size() == 1) return *candidates.front();
    // Without a QR code the page's shape decides: the first template whose printed
    // orientation (landscape/portrait) matches the scan.
    bool landscape = page.cols > page.rows;
    for (const auto* form : candidates)
        if ((form->page_width_mm > form->page_height_mm) == landscape) return *form;
    return candidates.empty() ? templates.begin()->second : *candidates.front();
}

PageReader::PageReader(const PluginHost& host, const std::map<std::string, FormTemplate>& templates, const RunConfig& config,
                       const StageEnvironment& env)
    : host_(host), templates_(templates), config_(config), env_(env) {
    for (const auto& [id, spec] : config.pipelines) readable_.push_back(id);
}

PageReader::~PageReader() = default;

std::vector<Record> PageReader::read(Page& page, const std::string& template_id) {
    const FormTemplate& form = choose_template(templates_, template_id, page.image, readable_);
    auto& pipeline = pipelines_[form.id];
    if (!pipeline) {
        auto spec = config_.pipelines.find(form.id);
        if (spec == config_.pipelines.end()) {
            auto why = config_.unavailable.find(form.id);
            throw Error("formscan.config.unknown_template", "the page looks like " + form.id + ", which cannot be read: " +
                                                                (why == config_.unavailable.end() ? "no pipeline configured" : why->second));
        }
        pipeline = std::make_unique<Pipeline>(host_, spec->second, env_);
    }
    return pipeline->run(page, form);
}

BatchSummary run_batch(const PluginHost& host, const std::map<std::string, FormTemplate>& templates,
                       const RunConfig& config, const StageEnvironment& env, const BatchOptions& options,
                       std::ostream& out) {
    auto started = std::chrono::steady_clock::now();
    BatchSummary summary;
    std::vector<std::string> files = expand_inputs(options.inputs);
    summary.files = static_cast<int>(files.size());
    const int threads = std::max(1, options.threads);
    const bool show_progress = options.progress && isatty(STDERR_FILENO);
    int total_pages = 0;
    if (show_progress)
        for (const auto& f : files) total_pages += std::max(1, count_pages(f, config.limits));

    // Pages an earlier run of the same batch finished (it may have been killed since).
    std::map<std::pair<std::string, int>, BatchJournal::Entry> journalled;
    if (!options.journal_path.empty()) {
        journalled = BatchJournal(options.journal_path, options.journal_settings).load();
        for (auto& [page, entry] : journalled)
            for (auto& record : entry.records)
                if (auto form = templates.find(record.template_id); form != templates.end()) put_fields_in_template_order(record, form->second);
    }

    Progress progress(show_progress, total_pages);
    OrderedWriter writer(out);
    PageQueue queue(static_cast<std::size_t>(threads) + 1);
    std::mutex summary_mutex;
    auto& log = logger("formscan.batch");
    auto skip = [&](const std::string& source, int page, const std::string& message) {
        std::string masked = mask_personal_data(message);
        std::lock_guard lock(summary_mutex);
        summary.skipped.push_back({source, page, masked});
        log.error("skipped " + source + (page >= 0 ? " page " + std::to_string(page) : "") + ": " + masked);
    };

    // Every worker builds its own stages (and so its own Tesseract instances) once.
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            PageReader reader(host, templates, config, env);
            std::unique_ptr<ReviewStore> store;  // this worker's own session
            std::unique_ptr<BatchJournal> journal;
            while (auto item = queue.pop()) {
                std::vector<Record> page_records;
                bool failed = false;
                try {
                    page_records = reader.read(item->page, options.template_id);
                    if (!options.store_url.empty()) {
                        if (!store) store = std::make_unique<ReviewStore>(options.store_url);
                        // Journalled, the page has a key: killed after storing it and before the
                        // journal's commit, a rerun reads it again but does not store it twice.
                        std::string key = options.journal_path.empty() ? std::string()
                                          : "run:" + item->page.source + "#" + std::to_string(item->page.index) + "@" + item->signature;
                        store->add_page(item->page, page_records, key);
                    }
                    if (!options.debug_dir.empty()) write_debug_page(options.debug_dir, item->page, page_records);
                    if (!options.journal_path.empty()) {
                        if (!journal) journal = std::make_unique<BatchJournal>(options.journal_path, options.journal_settings);
                        journal->done(item->page.source, item->page.index, item->signature, page_records);
                    }
                    {
                        std::lock_guard lock(summary_mutex);
                        ++summary.pages;
                    }
                } catch (const std::exception& e) {
                    failed = true;
                    skip(item->page.source, item->page.index, e.what());
                    if (!options.debug_dir.empty()) write_debug_page(options.debug_dir, item->page, {});
                }
                writer.put(item->seq, std::move(page_records));
                progress.page_done(failed);
            }
        });
    }

    long seq = 0;
    for (const auto& file : files) {
        std::unique_ptr<ScanFile> scan;
        try {
            scan = ScanFile::open(file, config.limits);
        } catch (const std::exception& e) {
            skip(file, -1, e.what());
            writer.put(seq++, {});
            progress.page_done(true);
            continue;
        }
        const std::string signature = options.journal_path.empty() ? std::string() : BatchJournal::signature(file);
        for (int i = 0; i < scan->page_count(); ++i) {
            auto earlier = journalled.find({file, i});
            if (earlier != journalled.end() && earlier->second.signature == signature) {
                writer.put(seq++, std::move(earlier->second.records));
                progress.page_done(false);
                std::lock_guard lock(summary_mutex);
                ++summary.pages;
                ++summary.pages_from_journal;
                continue;
            }
            try {
                DecodedPage decoded = scan->decode(i);
                WorkItem item;
                item.seq = seq++;
                item.page.source = file;
                item.page.index = i;
                item.page.dpi = decoded.dpi;
                item.page.dpi_from_file = decoded.dpi > 0;
                item.page.image = std::move(decoded.gray);
                item.signature = signature;
                queue.push(std::move(item));
            } catch (const std::exception& e) {
                skip(file, i, e.what());
                writer.put(seq++, {});
                progress.page_done(true);
            }
        }
    }
    queue.close();
    for (auto& w : workers) w.join();
    progress.finish();
    summary.records = writer.records();
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace formscan
