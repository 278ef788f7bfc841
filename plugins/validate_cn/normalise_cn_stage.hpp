#pragma once
// normalise_cn: field knowledge for the Chinese text that OCR reads worst. Household
// addresses follow a known pattern (district, a township of the district, the page's
// village, house number), and employer names carry common prefixes and suffixes: the
// reading is aligned with that pattern and characters the pattern explains are
// corrected. A reading that does not fit is left as it was. See README.md here.
#include "employer_names.hpp"
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

// What a ruling line or a speck next to the house number is read as: dropped.
bool is_speck(const std::string& c) { return c == "|" || c == "丨" || c == "," || c == "." || c == "'" || c == "`" || c == "_"; }

// Splits what follows the township into the village part and the house number:
// "王山社区129配" -> ("王山社区", "129号"). One stray character after the number is a
// misread 号, and specks around it are dropped ("55,号|", and "85号1" where the cell's
// right-hand line was read as a 1); a reading without a number is all village.
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
    Chars tail;
    for (; i < rest.size(); ++i)
        if (!is_speck(rest[i])) tail.push_back(rest[i]);
    if (tail.size() == 2 && tail[0] == "号" && (tail[1] == "1" || tail[1] == "l" || tail[1] == "I")) tail.pop_back();
    if (tail.size() > 1) return {village, concat(rest, first_digit)};  // more than a number: keep it
    return {village, digits + "号"};
}

bool ends_with(const Chars& chars, const Chars& suffix) {
    return chars.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), chars.rbegin());
}

// Village and community names end in 村 or 社区 (居委会 in older lists). A reading
// whose last character is anything else had that ending misread ("兴东材", "利民1").
// The Chinese characters of a reading, without the specks and punctuation read around
// them (丨 is a ruling line).
std::string han_only(const std::string& text) {
    std::string out;
    for (const auto& ch : utf8_chars(text))
        if (is_han(ch) && ch != "丨") out += ch;
    return out;
}

// A village's name as read: its Chinese characters up to the first ending 社区 or 村 after
// two characters at least; what follows is the label 村(社区) beside it in the page header,
// or part of it ("塘新社区村", "江桥社区木", "明利村木").
std::string village_name(const std::string& text) {
    const Chars c = utf8_chars(han_only(text));
    for (std::size_t i = 2; i < c.size(); ++i) {
        if (c[i] == "社" && i + 1 < c.size() && c[i + 1] == "区") return concat(Chars(c.begin(), c.begin() + static_cast<long>(i) + 2));
        if (c[i] == "村") return concat(Chars(c.begin(), c.begin() + static_cast<long>(i) + 1));
    }
    return concat(c);
}

// Specks and punctuation around the name ("安光村H", "民胜社区〉", "丨联塘村") are dropped.
std::string with_village_suffix(const std::string& village) {
    Chars c = utf8_chars(village_name(village));
    if (c.size() < 2 || ends_with(c, {"村"}) || ends_with(c, {"社", "区"}) || ends_with(c, {"居", "委", "会"})) return concat(c);
    if (c.size() >= 3 && c[c.size() - 2] == "社") {
        c.back() = "区";
    } else if (c.size() >= 3) {
        c.back() = "村";
    } else {
        c.push_back("村");  // two characters and no ending: the ending was lost
    }
    return concat(c);
}

// The village most readings agree on: the reading closest to all the others (each
// weighted), so that one misread character in each of several readings still leaves
// the right name; with its support, the share of the readings' weight within a third
// of its characters of it. Empty when nothing is close enough to most readings.
struct Consensus {
    std::string value;
    double support = 0;
};

Consensus consensus(const std::vector<std::pair<std::string, double>>& readings) {
    Consensus best;
    double best_cost = std::numeric_limits<double>::max(), total = 0;
    for (const auto& r : readings) total += r.second;
    for (const auto& [candidate, w] : readings) {
        const Chars c = utf8_chars(candidate);
        if (c.size() < 2) continue;
        double cost = 0, near = 0;
        for (const auto& [other, w2] : readings) {
            std::size_t d = edit_distance(c, utf8_chars(other));
            cost += w2 * std::min<double>(static_cast<double>(d), static_cast<double>(c.size()));
            if (d <= c.size() / 3) near += w2;
        }
        if (cost < best_cost) best_cost = cost, best = {candidate, near / total};
    }
    if (best.value.empty() || total <= 1.0 || best.support <= 0.5) return {};
    return best;
}

struct Fix {
    std::string value;
    std::size_t edits = 0;
    bool fits = false;
};

struct AddressParse {
    std::string head;     // district and township, as the pattern spells them
    std::string township;
    std::string village;  // as read
    std::string number;   // "129号"
    std::size_t village_from = 0;  // where the village begins in the reading
    std::size_t number_from = 0;   // where the house number begins in the reading (its length if nowhere)
    std::size_t edits = 0;
    bool fits = false;
};

struct Address {
    Field* field;
    AddressParse parse;
    bool hukou;  // the household address: printed from the registry, the village's own
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
                    {"checked_edit_cost", ParamType::number, "0.01", 0, 1,
                     "confidence lost per corrected character by a value whose other characters' confidences are known "
                     "(the least of them is its confidence)"},
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
        checked_edit_cost_ = params.get_double("checked_edit_cost");
    }

    void process(PageContext& ctx) override {
        for (auto& record : ctx.records)
            if (Field* f = record.find("employer_name"); f && f->reader == "tesseract_text" && utf8_chars(f->text()).size() > 3) {
                EmployerFix e = normalise_employer(f->text());
                const double trade_name_sure = least_sure_of_trade_name(*f, e);
                apply(*f, Fix{e.value, e.edits, true}, 0.97, trade_name_sure);
            }
        if (!ctx.form.vocabularies.count("townships")) return;
        const auto& townships = ctx.form.vocabulary("townships");
        // Household addresses of one page are mostly in the page's village: parse them
        // all, agree on the village, then correct each one (and the header) with it.
        std::vector<Address> addresses;
        const Field* header = nullptr;  // the page header's village, as read
        for (auto& record : ctx.records) {
            if (const Field* v = record.find("village"); v && (!header || header->text().empty())) header = v;
            for (const char* key : {"hukou_address", "residence_address"}) {
                Field* f = record.find(key);
                if (!f || f->reader != "tesseract_text" || f->text().empty()) continue;
                addresses.push_back({f, parse_address(utf8_chars(f->text()), townships, max_share_), key[0] == 'h'});
            }
        }
        agree_on_township(ctx, addresses);
        // Every reading of the village votes: the header (twice when the reader is sure
        // of it) and each address that fits the district's pattern.
        std::vector<std::pair<std::string, double>> readings;
        const std::string header_village = header ? header->text() : std::string();
        if (!header_village.empty()) readings.push_back({with_village_suffix(header_village), header->confidence >= 0.85 ? 2.0 : 1.0});
        for (const auto& a : addresses)
            if (a.hukou && a.parse.fits && !a.parse.village.empty()) readings.push_back({with_village_suffix(a.parse.village), 1.0});
        Consensus agreed = consensus(readings);
        // How sure the rows are of it: the share of them that read it exactly.
        double rows_agree = read_exactly(addresses, agreed.value);
        if (header && !agreed.value.empty() && rows_agree < 0.5) {
            // A header read surely keeps its name against rows that mostly did not read
            // the one they agree on (陈前村 in the header; 陈莲村 in 2 of 17 rows, other
            // misreadings in the rest).
            const std::string own = with_village_suffix(header_village);
            if (own != agreed.value && least_sure_of(*header, utf8_chars(village_name(header_village))) >= sure_header_name_) {
                agreed.value = own;
                rows_agree = read_exactly(addresses, own);
            }
        }
        std::string village = agreed.value;
        if (village.empty() && !header_village.empty()) village = with_village_suffix(header_village);
        const Chars village_chars = utf8_chars(village);
        // How sure the page is of its village where the header reads it too (-1: not known).
        const double page_sure = header && !agreed.value.empty() && village_name(header_village) == village
                                     ? agreed_village_sure(*header, village_chars, rows_agree)
                                     : -1;
        for (auto& [f, p, hukou] : addresses) {
            Fix fix;
            fix.fits = p.fits;
            fix.edits = p.edits;
            std::string v = p.village, number = p.number;
            // From where the reading's own confidence counts: the village, or (when the
            // page's village replaced it) the house number.
            std::size_t unchecked_from = p.village_from;
            // Only a household address is the page's village: where people live is elsewhere
            // (or ticked as the same), often one character from it (明塘村 on a page of 明山村).
            if (hukou && !village.empty() && !v.empty()) {
                // The village's last character may have been read as a digit and joined
                // to the house number ("利民112号" for 利民村12号).
                Chars vc = utf8_chars(v), nc = utf8_chars(number);
                if (vc.size() + 1 == village_chars.size() && !ends_with(vc, {"村"}) && nc.size() > 2 && is_digit(nc[0]) &&
                    is_digit(nc[1]) && std::equal(vc.begin(), vc.end(), village_chars.begin())) {
                    v += nc[0];
                    number = concat(nc, 1);
                }
                std::size_t d = edit_distance(utf8_chars(v), village_chars);
                if (d > 0 && d <= village_chars.size() / 3) {
                    fix.edits += d;
                    v = village;
                    unchecked_from = p.number_from;
                }
            }
            fix.value = p.head + v + number;
            // The pattern vouches for the district and the township (and the page's village
            // for what it corrected); the rest is as sure as its least sure character was
            // read, except that a village read as the page's is as sure as the page is of
            // it (its header and rows read it alike), however one of its characters was
            // read here.
            double rest_sure = p.fits ? least_sure(*f, unchecked_from) : -1;
            if (const double number_sure = least_sure(*f, p.number_from);
                rest_sure >= 0 && rest_sure < page_sure && unchecked_from == p.village_from && v == village && number_sure >= 0)
                rest_sure = std::min(page_sure, number_sure);
            apply(*f, fix, 0.97, rest_sure);
        }
        if (village.empty()) return;
        for (auto& record : ctx.records) {
            Field* v = record.find("village");
            if (!v) continue;
            // Before a speck or part of the label beside the name is dropped (it does not count).
            const double agreed_sure = agreed_village_sure(*v, village_chars, rows_agree);
            if (v->text() != village && village_name(v->text()) == village) {
                // Read with a speck, or with part of the label after it ("安光村H",
                // "江桥社区木"): the same reading.
                v->alternatives.push_back({v->text(), v->confidence});
                v->value = village;
            }
            if (v->text() == village) {
                // Read alike in the header and the rows.
                if (!agreed.value.empty()) v->confidence = agreed_sure;
                continue;
            }
            std::size_t d = edit_distance(utf8_chars(v->text()), village_chars);
            if (v->text().empty() || d > village_chars.size() / 3) {
                // Unreadable (often handwritten) header: the rows' addresses say which
                // village this page is, but a person should confirm it.
                if (readings.size() >= 3) apply(*v, Fix{village, village_chars.size(), true}, 0.8 * rows_agree);
            } else {
                // As sure as the page's readings agree on it.
                apply(*v, Fix{village, d, true}, 0.97 * std::max(rows_agree, 0.5));
            }
        }
    }

private:
    // The page's township, as the header and the household addresses agree on it; the
    // household addresses are then parsed against it alone, and may be read worse and
    // still fit ("上虚区曾妍街道..." for 上虞区曹娥街道...).
    // A header sure of a township of the district is taken as it is: the addresses are
    // printed in one font and misread alike (谢塘 as 道墟 in every row), so their majority
    // is no independent evidence against it.
    void agree_on_township(PageContext& ctx, std::vector<Address>& addresses) const {
        std::vector<std::pair<std::string, double>> readings;
        const auto& townships = ctx.form.vocabulary("townships");
        Consensus town;
        std::string header;
        for (auto& record : ctx.records)
            if (const Field* t = record.find("township"); t && !t->text().empty()) {
                header = t->text();
                readings.push_back({header, t->confidence >= 0.85 ? 2.0 : 1.0});
                if (t->confidence >= sure_header_ && std::find(townships.begin(), townships.end(), header) != townships.end())
                    town = {header, 1.0};
                break;
            }
        for (const auto& a : addresses)
            if (a.hukou && a.parse.fits) readings.push_back({a.parse.township, 1.0});
        if (std::find(townships.begin(), townships.end(), header) != townships.end()) confirm_header_township(ctx, header, addresses);
        if (town.value.empty()) town = consensus(readings);
        if (town.value.empty()) return;
        // A header read as nothing of the district: the household addresses say which
        // township this page is, but a person confirms it.
        if (std::find(townships.begin(), townships.end(), header) == townships.end() && readings.size() >= min_confirming_addresses_)
            for (auto& record : ctx.records)
                if (Field* t = record.find("township"))
                    apply(*t, Fix{town.value, utf8_chars(town.value).size(), true}, 0.8 * town.support);
        const std::vector<std::string> only = {town.value};
        for (auto& a : addresses) {
            if (!a.hukou || (a.parse.fits && a.parse.township == town.value)) continue;
            AddressParse p = parse_address(utf8_chars(a.field->text()), only, std::min(0.5, max_share_ + 0.15));
            if (p.fits) a.parse = p;
        }
    }

    // The header's township (one of the district's) against the household addresses read
    // apart (each parsed against every township of the district): confirmed by most of
    // them, it is as sure as their share; named otherwise by most of them, a person
    // decides. Two readings of different print that agree are rarely both wrong; one of
    // them alone may be (a header read surely as 道墟镇 above nineteen addresses in 崧厦镇).
    void confirm_header_township(PageContext& ctx, const std::string& town, const std::vector<Address>& addresses) const {
        std::size_t fitting = 0, agreeing = 0;
        for (const auto& a : addresses)
            if (a.hukou && a.parse.fits) ++fitting, agreeing += a.parse.township == town ? 1 : 0;
        if (fitting < min_confirming_addresses_) return;
        const double share = static_cast<double>(agreeing) / static_cast<double>(fitting);
        for (auto& record : ctx.records) {
            Field* t = record.find("township");
            if (!t || t->text() != town) continue;
            if (share > 0.5) t->confidence = 1 - (1 - t->confidence) * (1 - 0.97 * share);
            else if (fitting - agreeing > fitting / 2) t->confidence = std::min(t->confidence, 0.5);
        }
    }

    AddressParse parse_address(const Chars& text, const std::vector<std::string>& townships, double max_share) const {
        AddressParse best;
        std::size_t best_cost = std::numeric_limits<std::size_t>::max();
        for (const auto& prefix : prefixes_) {
            for (const auto& township : townships) {
                Chars pattern = join(prefix, utf8_chars(township));
                auto [cost, used] = align_prefix(pattern, text);
                if (cost >= best_cost) continue;
                best_cost = cost;
                best.head = concat(pattern);
                best.township = township;
                best.edits = cost;
                best.fits = cost <= max_share * static_cast<double>(pattern.size());
                std::tie(best.village, best.number) =
                    village_and_number(Chars(text.begin() + static_cast<long>(used), text.end()));
                best.village_from = used;
                best.number_from = static_cast<std::size_t>(
                    std::find_if(text.begin() + static_cast<long>(used), text.end(), is_digit) - text.begin());
            }
        }
        return best;
    }

    // A value the pattern checked part of comes with `rest_sure`, the confidence of the rest
    // as read (-1: not known, the reading's own confidence stands for it): read as the
    // pattern spells it, it is as sure as that rest.
    void apply(Field& f, const Fix& fix, double at_most = 0.97, double rest_sure = -1) const {
        const bool rest_known = rest_sure >= 0;
        if (!fix.fits || (fix.value == f.text() && !rest_known)) return;
        if (fix.value != f.text()) {
            if (!f.text().empty()) f.alternatives.push_back({f.text(), f.confidence});
            f.value = fix.value;
        }
        // The pattern vouches for what it corrected; each correction still costs a little
        // (a reading that needed many was of a poor print), and what the pattern cannot
        // check (the house number) is as sure as the reading was.
        const double edits = static_cast<double>(fix.edits);
        f.confidence = rest_known ? std::clamp(rest_sure - checked_edit_cost_ * edits, 0.0, 1.0)
                                  : std::clamp(at_most - edit_cost_ * edits, 0.0, 1.0) * (0.5 + 0.5 * f.confidence);
        if (f.reader.empty()) f.reader = "normalise_cn";
    }

    // The header's village read alike in the rows: as sure as the two agree. The header's
    // reading is as sure as its least sure character of the name (a speck or part of the
    // label beside it, dropped, does not count).
    static double agreed_village_sure(const Field& header, const Chars& village, double rows_agree) {
        const double name_sure = least_sure_of(header, village);
        const double header_sure = name_sure >= 0 ? name_sure : header.confidence;
        return 1 - (1 - header_sure) * (1 - 0.97 * rows_agree);
    }

    // The share of the household addresses naming a village that read `village` exactly.
    // A page's rows may misread one of its characters alike in a few rows and scatter in
    // the rest (后凑村 for 后湖村 in 4 of 19); a name read right is mostly read alike.
    static double read_exactly(const std::vector<Address>& addresses, const std::string& village) {
        int naming = 0, exact = 0;
        for (const auto& a : addresses)
            if (a.hukou && a.parse.fits && !a.parse.village.empty()) {
                ++naming;
                exact += with_village_suffix(a.parse.village) == village ? 1 : 0;
            }
        return naming == 0 ? 0.0 : double(exact) / naming;
    }

    // The least confidence of the reading's characters from `from` on; -1 when the reader
    // gave none.
    static double least_sure(const Field& f, std::size_t from) {
        const auto& c = f.char_confidence;
        if (c.size() != utf8_chars(f.text()).size() || from >= c.size()) return -1;
        return *std::min_element(c.begin() + static_cast<long>(from), c.end());
    }

    // The least confidence of the characters of `part` where the reading holds it whole;
    // -1 when it does not, or the reader gave no confidence of characters.
    static double least_sure_of(const Field& f, const Chars& part) {
        const Chars text = utf8_chars(f.text());
        const auto& c = f.char_confidence;
        if (c.size() != text.size() || part.empty()) return -1;
        const auto at = std::search(text.begin(), text.end(), part.begin(), part.end());
        if (at == text.end()) return -1;
        const auto from = c.begin() + (at - text.begin());
        return *std::min_element(from, from + static_cast<long>(part.size()));
    }

    // The least confidence of the characters of an employer's trade name, between the
    // district and the legal form the pattern found; -1 when it found neither, or the
    // reader gave no confidence of characters.
    static double least_sure_of_trade_name(const Field& f, const EmployerFix& e) {
        const auto& c = f.char_confidence;
        if (c.size() != utf8_chars(f.text()).size() || e.checked_front + e.checked_back == 0 ||
            e.source.size() <= e.checked_front + e.checked_back)
            return -1;
        double least = 1;
        for (std::size_t i = e.checked_front; i + e.checked_back < e.source.size(); ++i) least = std::min(least, c[e.source[i]]);
        return least;
    }

    std::vector<Chars> prefixes_;
    double max_share_ = 0.35, edit_cost_ = 0.06, checked_edit_cost_ = 0.01, sure_header_ = 0.85, sure_header_name_ = 0.98;
    std::size_t min_confirming_addresses_ = 3;
};

}  // namespace formscan
