#include "constrained_decoder.hpp"

#include "formscan/text_utils.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace formscan {

namespace {

constexpr int kMaxChanges = 2;
const double kStrayMark = std::log(0.05);
const double kUnlikelyDate = std::log(0.05);

// Every variant of `r` with up to kMaxChanges characters replaced by a lower choice,
// passed to `visit(text, log_score)`.
template <typename Visit>
void variants(const DigitReading& r, std::size_t from, int changes, std::string& text, double score, Visit&& visit) {
    if (from == r.chars.size()) {
        visit(text, score);
        return;
    }
    const CharReading& c = r.chars[from];
    text.push_back(c.best);
    variants(r, from + 1, changes, text, score, visit);
    text.pop_back();
    if (changes == kMaxChanges || c.choices.size() < 2) return;
    const double best_p = std::max(1e-9, c.choices.front().second);
    for (std::size_t k = 1; k < c.choices.size(); ++k) {
        text.push_back(c.choices[k].first);
        variants(r, from + 1, changes + 1, text, score + std::log(std::max(1e-9, c.choices[k].second) / best_p), visit);
        text.pop_back();
    }
}

std::string digits_of(const std::string& text) {
    std::string digits;
    for (char ch : text)
        if (ch >= '0' && ch <= '9') digits += ch;
    return digits;
}

}  // namespace

std::optional<ConstrainedReading> decode_constrained(const DigitReadings& readings, const Interpretation& interpret,
                                                     Certainty certainty) {
    std::map<std::string, double> values;  // value -> best log-score
    for (const auto& r : readings.by_length) {
        std::string text;
        variants(r, 0, 0, text, r.score, [&](const std::string& t, double score) {
            // As read, or without a stray mark at either end read as a digit (a label's
            // colon, a stroke of the next label).
            const std::pair<std::string, double> tries[] = {
                {t, 0.0}, {t.substr(std::min<std::size_t>(1, t.size())), kStrayMark}, {t.substr(0, t.empty() ? 0 : t.size() - 1), kStrayMark}};
            for (const auto& [candidate, penalty] : tries) {
                auto meaning = interpret(candidate);
                if (!meaning) continue;
                double total = score + penalty + meaning->second;
                auto [it, added] = values.emplace(meaning->first, total);
                if (!added) it->second = std::max(it->second, total);
            }
        });
    }
    if (values.empty() || readings.best < 0) return std::nullopt;
    std::vector<std::pair<std::string, double>> ranked(values.begin(), values.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    double total = 0;
    for (const auto& [value, score] : ranked) total += std::exp(score - ranked[0].second);
    ConstrainedReading out;
    out.value = ranked[0].first;
    // The best character path's own certainty (see Certainty), lowered by how far the
    // chosen value is from it and shared with the value's rivals.
    const auto& first = readings.by_length[static_cast<std::size_t>(readings.best)];
    const double own = certainty == Certainty::share ? 1.0 : first.confidence();
    double path = std::exp(std::min(0.0, ranked[0].second - first.score));
    out.confidence = std::clamp(own * path / total, 0.0, 1.0);
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
        out.alternatives.push_back({ranked[i].first, std::exp(ranked[i].second - ranked[0].second) / total});
    return out;
}

Interpretation date_interpretation(const std::string& earliest, const std::string& latest, const std::string& likely_from,
                                   const std::string& likely_until) {
    return [earliest, latest, likely_from, likely_until](const std::string& text) -> std::optional<std::pair<std::string, double>> {
        double penalty = 0;
        auto date = normalise_date(text);
        if (!date) {
            // Separators lost or misread: the digits alone may still say it, less surely.
            date = date_from_digits(digits_of(text));
            penalty = std::log(0.5);
        }
        if (!date || (!earliest.empty() && *date < earliest) || (!latest.empty() && *date > latest)) return std::nullopt;
        if ((!likely_from.empty() && *date < likely_from) || (!likely_until.empty() && *date > likely_until)) penalty += kUnlikelyDate;
        return std::pair{*date, penalty};
    };
}

Interpretation phone_interpretation() {
    return [](const std::string& text) -> std::optional<std::pair<std::string, double>> {
        const std::string d = digits_of(text);
        if (is_cn_mobile(d)) return std::pair{d, 0.0};
        // Landlines are the exception on these forms: a reading that only fits one
        // (often a mobile number with digits lost) must be clearly better to win.
        if (is_shaoxing_landline(d)) return std::pair{d, std::log(0.2)};
        return std::nullopt;
    };
}

Interpretation code_interpretation(const std::vector<CodeEntry>& codes) {
    std::vector<std::string> known;
    for (const auto& c : codes) known.push_back(c.code);
    return [known](const std::string& text) -> std::optional<std::pair<std::string, double>> {
        const std::string d = digits_of(text);
        if (d != text || std::find(known.begin(), known.end(), d) == known.end()) return std::nullopt;
        return std::pair{d, 0.0};
    };
}

Interpretation row_number_interpretation() {
    return [](const std::string& text) -> std::optional<std::pair<std::string, double>> {
        const std::string d = digits_of(text);
        if (d != text || d.empty() || d.size() > 2 || d[0] == '0') return std::nullopt;
        return std::pair{d, 0.0};
    };
}

}  // namespace formscan
