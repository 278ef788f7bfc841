#include "formscan/id_number.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace formscan {

char id_check_character(std::string_view first17) {
    static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr char table[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    if (first17.size() < 17) return '\0';
    int sum = 0;
    for (int i = 0; i < 17; ++i) {
        char c = first17[i];
        if (c < '0' || c > '9') return '\0';
        sum += (c - '0') * weights[i];
    }
    return table[sum % 11];
}

bool id_has_valid_check(std::string_view id) {
    return id.size() == 18 && id_check_character(id.substr(0, 17)) == id[17];
}

bool is_real_date(int year, int month, int day) {
    if (year < 1850 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
    static constexpr int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int limit = days[month - 1] + (month == 2 && leap ? 1 : 0);
    return day <= limit;
}

std::optional<std::string> id_birth_date(std::string_view id) {
    if (id.size() < 14) return std::nullopt;
    for (int i = 6; i < 14; ++i)
        if (id[i] < '0' || id[i] > '9') return std::nullopt;
    auto num = [&](int pos, int len) {
        int v = 0;
        for (int i = 0; i < len; ++i) v = v * 10 + (id[pos + i] - '0');
        return v;
    };
    int y = num(6, 4), m = num(10, 2), d = num(12, 2);
    if (!is_real_date(y, m, d)) return std::nullopt;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return std::string(buf);
}

std::optional<std::string> id_sex(std::string_view id) {
    if (id.size() < 17 || id[16] < '0' || id[16] > '9') return std::nullopt;
    return ((id[16] - '0') % 2 == 1) ? std::string("男") : std::string("女");
}

std::vector<IdCandidate> decode_id_number(const std::vector<CharChoices>& positions, std::size_t max_results) {
    static constexpr int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static constexpr char table[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
    std::vector<IdCandidate> out;
    if (positions.size() != 18) return out;
    // Beam search over the first 17 digits, keeping the weighted sum mod 11; the 18th
    // character must then be the check character.
    struct State {
        std::string prefix;
        double log_score;
        int sum;
    };
    std::vector<State> beam = {{"", 0.0, 0}};
    const std::size_t width = 256;
    for (int i = 0; i < 17; ++i) {
        std::vector<State> next;
        for (const auto& s : beam)
            for (const auto& [c, p] : positions[i]) {
                if (c < '0' || c > '9' || p <= 0) continue;
                next.push_back({s.prefix + c, s.log_score + std::log(p), (s.sum + (c - '0') * weights[i]) % 11});
            }
        std::sort(next.begin(), next.end(), [](const State& a, const State& b) { return a.log_score > b.log_score; });
        if (next.size() > width) next.resize(width);
        beam = std::move(next);
    }
    for (const auto& s : beam) {
        char check = table[s.sum];
        double p = 0;
        for (const auto& [c, q] : positions[17])
            if (c == check || (check == 'X' && c == 'x')) p = std::max(p, q);
        if (p <= 0) p = 1e-4;  // the check character misread entirely: allowed, at a price
        std::string id = s.prefix + check;
        if (!id_birth_date(id)) continue;
        out.push_back({id, s.log_score + std::log(p)});
    }
    std::sort(out.begin(), out.end(), [](const IdCandidate& a, const IdCandidate& b) { return a.log_score > b.log_score; });
    if (out.size() > max_results) out.resize(max_results);
    return out;
}

}  // namespace formscan
