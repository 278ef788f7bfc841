#include "date_decoder.hpp"

#include "formscan/text_utils.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace formscan {

namespace {

constexpr int kMaxChanges = 2;

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

}  // namespace

std::optional<DateReading> decode_date(const DigitReadings& readings, const std::string& earliest,
                                       const std::string& latest) {
    std::map<std::string, double> dates;  // date -> best log-score
    for (const auto& r : readings.by_length) {
        std::string text;
        variants(r, 0, 0, text, r.score, [&](const std::string& t, double score) {
            auto date = normalise_date(t);
            if (!date) {
                std::string digits;
                for (char ch : t)
                    if (ch >= '0' && ch <= '9') digits += ch;
                // Separators lost or misread: the digits alone may still say it, less surely.
                date = date_from_digits(digits);
                score += std::log(0.5);
            }
            if (!date || (!earliest.empty() && *date < earliest) || (!latest.empty() && *date > latest)) return;
            auto [it, added] = dates.emplace(*date, score);
            if (!added) it->second = std::max(it->second, score);
        });
    }
    if (dates.empty()) return std::nullopt;
    std::vector<std::pair<std::string, double>> ranked(dates.begin(), dates.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    double total = 0;
    for (const auto& [date, score] : ranked) total += std::exp(score - ranked[0].second);
    DateReading out;
    out.value = ranked[0].first;
    // The reading's own certainty (the best character path), shared with its rivals.
    const auto& first = readings.by_length[static_cast<std::size_t>(std::max(0, readings.best))];
    double own = 1;
    for (const auto& c : first.chars)
        if (!c.choices.empty()) own *= c.choices.front().second;
    double path = std::exp(std::min(0.0, ranked[0].second - first.score));
    out.confidence = std::clamp(own * path / total, 0.0, 1.0);
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
        out.alternatives.push_back({ranked[i].first, std::exp(ranked[i].second - ranked[0].second) / total});
    return out;
}

}  // namespace formscan
