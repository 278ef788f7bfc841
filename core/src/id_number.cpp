#include "formscan/id_number.hpp"

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

}  // namespace formscan
