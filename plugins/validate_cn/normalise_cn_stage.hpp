#pragma once
// normalise_cn: field knowledge for the Chinese text that OCR reads worst. Household
// addresses follow a known pattern (district, a township of the district, the page's
// village, house number), and employer names carry common prefixes and suffixes: the
// reading is aligned with that pattern and characters the pattern explains are
// corrected. A reading that does not fit is left as it was. See README.md here.
#include "formscan/stage.hpp"
#include "formscan/text_utils.hpp"

#include <Poco/ClassLibrary.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <limits>

namespace formscan {

namespace {

using Chars = std::vector<std::string>;

// Aligns all of `pattern` with a prefix of `text`: the least edits, and how many
// characters of the text that prefix takes.
std::pair<std::size_t, std::size_t> align_prefix(const Chars& pattern, const Chars& text) {
    const std::size_t m = pattern.size(), n = text.size();
    std::vector<std::vector<std::size_t>> d(m + 1, std::vector<std::size_t>(n + 1));
    for (std::size_t j = 0; j <= n; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= m; ++i) {
        d[i][0] = i;
        for (std::size_t j = 1; j <= n; ++j)
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (pattern[i - 1] == text[j - 1] ? 0 : 1)});
    }
    std::size_t best = std::numeric_limits<std::size_t>::max(), used = 0;
    for (std::size_t j = 0; j <= n; ++j)
        if (d[m][j] < best) best = d[m][j], used = j;
    return {best, used};
}

Chars join(const Chars& a, const Chars& b) {
    Chars out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

std::string concat(const Chars& chars, std::size_t from = 0) {
    std::string s;
    for (std::size_t i = from; i < chars.size(); ++i) s += chars[i];
    return s;
}

bool is_digit(const std::string& c) { return c.size() == 1 && c[0] >= '0' && c[0] <= '9'; }

// Splits what follows the township into the village part and the house number:
// "王山社区129配" -> ("王山社区", "129号"). One stray character after the number is a
// misread 号; a reading without a number is all village.
std::pair<std::string, std::string> village_and_number(const Chars& rest) {
    std::size_t first_digit = rest.size();
    for (std::size_t i = 0; i < rest.size(); ++i)
        if (is_digit(rest[i])) {
            first_digit = i;
            break;
        }
    std::string village;
    for (std::size_t i = 0; i < first_digit; ++i)
        if (rest[i] != "|" && rest[i] != "_" && rest[i] != "-") village += rest[i];
    if (first_digit == rest.size()) return {village, ""};
    std::string digits;
    std::size_t i = first_digit;
    for (; i < rest.size() && (is_digit(rest[i]) || rest[i] == "-"); ++i)
        if (is_digit(rest[i])) digits += rest[i];
    std::size_t trailing = rest.size() - i;
    if (trailing > 1) return {village, concat(rest, first_digit)};  // more than a number: keep it
    return {village, digits + "号"};
}

struct Fix {
    std::string value;
    std::size_t edits = 0;
    bool fits = false;
};

struct AddressParse {
    std::string head;     // district and township, as the pattern spells them
    std::string village;  // as read
    std::string number;   // "129号"
    std::size_t edits = 0;
    bool fits = false;
};

}  // namespace

class NormaliseCnStage : public Stage {
public:
    StageInfo info() const override {
        return {"normalise_cn",
                "1.0.0",
                "corrects household addresses and employer names against their known patterns",
                {kHasRecords, kHasText},
                {},
                {
                    {"district_prefixes", ParamType::string, "上虞区,绍兴市上虞区,浙江省绍兴市上虞区,上虞市,绍兴市上虞市", 0, 0,
                     "how addresses of the district start, comma-separated"},
                    {"max_edit_share", ParamType::number, "0.35", 0, 1,
                     "most characters of the pattern that may be corrected for the pattern to apply"},
                    {"edit_cost", ParamType::number, "0.06", 0, 1, "confidence lost per corrected character"},
                }};
    }

    void configure(const ParamValues& params, const StageEnvironment&) override {
        prefixes_.clear();
        std::string all = params.get_string("district_prefixes"), cur;
        for (char c : all + ",") {
            if (c == ',') {
                if (!cur.empty()) prefixes_.push_back(utf8_chars(cur));
                cur.clear();
            } else {
                cur += c;
            }
        }
        max_share_ = params.get_double("max_edit_share");
        edit_cost_ = params.get_double("edit_cost");
    }

    void process(PageContext& ctx) override {
        if (!ctx.form.vocabularies.count("townships")) return;
        const auto& townships = ctx.form.vocabulary("townships");
        // Household addresses of one page are mostly in the page's village: parse them
        // all, agree on the village, then correct each one (and the header) with it.
        std::vector<std::pair<Field*, AddressParse>> addresses;
        std::string header_village;
        double header_confidence = 0;
        for (auto& record : ctx.records) {
            if (const Field* v = record.find("village"); v && header_village.empty()) {
                header_village = v->text();
                header_confidence = v->confidence;
            }
            for (const char* key : {"hukou_address", "residence_address"}) {
                Field* f = record.find(key);
                if (!f || f->reader != "tesseract_text" || f->text().empty()) continue;
                addresses.push_back({f, parse_address(utf8_chars(f->text()), townships)});
            }
        }
        std::vector<AddressParse> parses;
        for (const auto& [f, p] : addresses) parses.push_back(p);
        const std::string village = consensus_village(parses, header_village, header_confidence);
        const Chars village_chars = utf8_chars(village);
        for (auto& [f, p] : addresses) {
            Fix fix;
            fix.fits = p.fits;
            fix.edits = p.edits;
            std::string v = p.village;
            if (!village.empty() && !v.empty()) {
                std::size_t d = edit_distance(utf8_chars(v), village_chars);
                if (d > 0 && d <= village_chars.size() / 3) {
                    fix.edits += d;
                    v = village;
                }
            }
            fix.value = p.head + v + p.number;
            apply(*f, fix);
        }
        if (!village.empty() && village != header_village)
            for (auto& record : ctx.records)
                if (Field* v = record.find("village"); v && !v->text().empty() &&
                                                        edit_distance(utf8_chars(v->text()), village_chars) <= village_chars.size() / 3) {
                    Fix fix{village, edit_distance(utf8_chars(v->text()), village_chars), true};
                    apply(*v, fix);
                }
    }

private:
    AddressParse parse_address(const Chars& text, const std::vector<std::string>& townships) const {
        AddressParse best;
        std::size_t best_cost = std::numeric_limits<std::size_t>::max();
        for (const auto& prefix : prefixes_) {
            for (const auto& township : townships) {
                Chars pattern = join(prefix, utf8_chars(township));
                auto [cost, used] = align_prefix(pattern, text);
                if (cost >= best_cost) continue;
                best_cost = cost;
                best.head = concat(pattern);
                best.edits = cost;
                best.fits = cost <= max_share_ * static_cast<double>(pattern.size());
                std::tie(best.village, best.number) =
                    village_and_number(Chars(text.begin() + static_cast<long>(used), text.end()));
            }
        }
        return best;
    }

    // The village most of the page's addresses agree on, with the header's reading as
    // one more vote (and the tie-breaker). A sure header reading (printed larger than
    // the addresses) wins outright: the rows' small print tends to be misread alike.
    static std::string consensus_village(const std::vector<AddressParse>& parses, const std::string& header,
                                         double header_confidence) {
        if (!header.empty() && header_confidence >= 0.85) return header;
        std::map<std::string, int> votes;
        for (const auto& p : parses)
            if (p.fits && !p.village.empty()) ++votes[p.village];
        if (!header.empty()) ++votes[header];
        std::string best = header;
        int best_votes = header.empty() ? 0 : votes[header];
        for (const auto& [village, n] : votes)
            if (n > best_votes) best = village, best_votes = n;
        return best_votes >= 2 ? best : header;
    }

    void apply(Field& f, const Fix& fix) const {
        if (!fix.fits || fix.value == f.text()) return;
        f.alternatives.push_back({f.text(), f.confidence});
        f.value = fix.value;
        // The pattern vouches for what it corrected; each correction still costs a little.
        f.confidence = std::clamp(0.97 - edit_cost_ * static_cast<double>(fix.edits), 0.0, 1.0);
    }

    std::vector<Chars> prefixes_;
    double max_share_ = 0.35, edit_cost_ = 0.06;
};

}  // namespace formscan
