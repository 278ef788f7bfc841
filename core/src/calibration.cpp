#include "formscan/calibration.hpp"

#include "formscan/error.hpp"
#include "formscan/record_json.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace formscan {

namespace {

// A little caution for small blocks: one wrong reading in 25 is not 4%.
double cautious_rate(double right, double n) { return (right + 0.5) / (n + 1.0); }

// Pool-adjacent-violators: the non-decreasing fit of right/wrong against raw confidence.
std::vector<Calibration::Step> isotonic(std::vector<std::pair<double, bool>> obs, long min_samples) {
    std::sort(obs.begin(), obs.end());
    struct Block {
        double up_to, right, n;
    };
    std::vector<Block> blocks;
    // Start from blocks of min_samples observations so that each step means something.
    for (std::size_t i = 0; i < obs.size();) {
        Block b{0, 0, 0};
        std::size_t j = i;
        for (; j < obs.size() && (b.n < min_samples || (j > 0 && obs[j].first == obs[j - 1].first)); ++j) {
            b.right += obs[j].second ? 1 : 0;
            b.n += 1;
            b.up_to = obs[j].first;
        }
        if (b.n < min_samples && !blocks.empty()) {
            blocks.back().right += b.right;
            blocks.back().n += b.n;
            blocks.back().up_to = b.up_to;
        } else {
            blocks.push_back(b);
        }
        i = j;
        // Pooled on the cautious rates that the steps report, equal ones too: the steps
        // never decrease, and readings all right are one step as sure as their number
        // says (blocks of 25 all right had each reported 0.98, below a header's bar of
        // 0.99, however many of them there were).
        while (blocks.size() >= 2 && cautious_rate(blocks[blocks.size() - 2].right, blocks[blocks.size() - 2].n) >=
                                         cautious_rate(blocks.back().right, blocks.back().n)) {
            Block last = blocks.back();
            blocks.pop_back();
            blocks.back().right += last.right;
            blocks.back().n += last.n;
            blocks.back().up_to = last.up_to;
        }
    }
    std::vector<Calibration::Step> steps;
    for (const auto& b : blocks) steps.push_back({b.up_to, cautious_rate(b.right, b.n), static_cast<long>(b.n)});
    if (!steps.empty()) steps.back().up_to = 1.0;
    return steps;
}

}  // namespace

Calibration Calibration::fit(const Observations& observations, long min_samples) {
    Calibration c;
    for (const auto& [key, obs] : observations)
        if (static_cast<long>(obs.size()) >= min_samples) c.tables_[key] = isotonic(obs, min_samples);
    return c;
}

void Calibration::choose_ok_confidence(const Observations& observations, double budget, double floor) {
    std::vector<std::pair<double, bool>> all;  // (calibrated, right), every field once
    for (const auto& [key, obs] : observations) {
        auto slash = key.find('/');
        if (slash == std::string::npos || key.substr(slash + 1) == "*") continue;
        for (const auto& [raw, right] : obs) all.push_back({apply(key.substr(0, slash), key.substr(slash + 1), raw), right});
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    double chosen = 1.0;
    long taken = 0, wrong = 0;
    for (std::size_t i = 0; i < all.size();) {
        // Fields of equal confidence are accepted or not together.
        std::size_t j = i;
        for (; j < all.size() && all[j].first == all[i].first; ++j) {
            ++taken;
            wrong += all[j].second ? 0 : 1;
        }
        if (all[i].first < floor) break;
        if (double(wrong) / double(taken) <= budget) chosen = all[i].first;
        i = j;
    }
    ok_confidence_ = chosen;
}

double Calibration::apply(const std::string& reader, const std::string& field, double raw) const {
    for (const auto& key : {reader + "/" + field, reader + "/*"}) {
        auto it = tables_.find(key);
        if (it == tables_.end()) continue;
        for (const auto& step : it->second)
            if (raw <= step.up_to) return step.calibrated;
        return it->second.back().calibrated;
    }
    return raw;
}

void Calibration::save(const std::string& path) const {
    Poco::JSON::Object::Ptr root = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    root->set("schema_version", 1);
    root->set("ok_confidence", ok_confidence_);
    Poco::JSON::Object::Ptr tables = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [key, steps] : tables_) {
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const auto& s : steps) {
            Poco::JSON::Array::Ptr step = new Poco::JSON::Array;
            step->add(s.up_to);
            step->add(s.calibrated);
            step->add(s.samples);
            list->add(step);
        }
        tables->set(key, list);
    }
    root->set("tables", tables);
    std::ofstream out(path);
    if (!out) throw Error("formscan.calibration.unwritable", "cannot write " + path);
    Poco::JSON::Stringifier::stringify(root, out, 1, -1, Poco::JSON_PRESERVE_KEY_ORDER);
    out << "\n";
}

Calibration Calibration::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("formscan.calibration.unreadable", "cannot open " + path);
    std::stringstream text;
    text << in.rdbuf();
    Calibration c;
    try {
        auto root = Poco::JSON::Parser().parse(text.str()).extract<Poco::JSON::Object::Ptr>();
        if (root->getValue<int>("schema_version") != 1)
            throw Error("formscan.calibration.version", path + ": unknown schema_version");
        if (root->has("ok_confidence")) c.ok_confidence_ = root->getValue<double>("ok_confidence");
        auto tables = root->getObject("tables");
        std::vector<std::string> keys;
        tables->getNames(keys);
        for (const auto& key : keys) {
            auto list = tables->getArray(key);
            for (std::size_t i = 0; i < list->size(); ++i) {
                auto step = list->getArray(static_cast<unsigned>(i));
                c.tables_[key].push_back({step->getElement<double>(0), step->getElement<double>(1),
                                          static_cast<long>(step->getElement<double>(2))});
            }
        }
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error("formscan.calibration.syntax", path + ": " + e.what());
    }
    return c;
}

Calibration::Observations observe(const std::string& truth_path, const std::string& records_path,
                                   const std::map<std::string, FormTemplate>& templates) {
    auto read = [](const std::string& path) {
        std::ifstream in(path);
        if (!in) throw Error("formscan.calibration.unreadable", "cannot open " + path);
        std::vector<Record> records;
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) records.push_back(record_from_json_line(line));
        return records;
    };
    auto page_key = [](const Record& r) {
        return std::filesystem::path(r.source).filename().string() + "#" + std::to_string(r.page);
    };
    auto on_every_row = [&](const Record& r, const std::string& field) {
        auto form = templates.find(r.template_id);
        if (form == templates.end()) return false;
        const FieldSpec* spec = form->second.find_field(field);
        return spec && spec->placement == Placement::header;
    };
    std::map<std::string, Record> by_key;
    for (auto& r : read(records_path)) by_key.emplace(page_key(r) + "#" + std::to_string(r.row), std::move(r));
    Calibration::Observations obs;
    std::set<std::string> header_fields_seen;  // page#field
    for (const auto& t : read(truth_path)) {
        auto it = by_key.find(page_key(t) + "#" + std::to_string(t.row));
        if (it == by_key.end()) continue;
        for (const auto& tf : t.fields) {
            const Field* f = it->second.find(tf.key);
            if (!f || f->reader.empty()) continue;
            // A page-header value is one reading, copied to every row of its page.
            if (on_every_row(it->second, tf.key) && !header_fields_seen.insert(page_key(t) + "#" + tf.key).second)
                continue;
            bool right = value_to_string(f->value) == value_to_string(tf.value);
            obs[f->reader + "/" + tf.key].push_back({f->confidence, right});
            obs[f->reader + "/*"].push_back({f->confidence, right});
        }
    }
    return obs;
}

}  // namespace formscan
