#pragma once
// Chooses the most likely real date among a cell's digit readings: every digit count
// the ink allows, and for each the recogniser's second and third choices at up to two
// places ("6015.6.3" -> 2015-06-03 when 2 is the first digit's runner-up). A date is
// only as sure as it stands out from the other real dates the same ink could be.
#include "digit_reader.hpp"

#include <optional>
#include <string>
#include <vector>

namespace formscan {

struct DateReading {
    std::string value;  // YYYY-MM-DD
    double confidence = 0;
    std::vector<std::pair<std::string, double>> alternatives;  // other real dates, most likely first
};

// Only dates from `earliest` to `latest` (YYYY-MM-DD; "" = no bound) count.
std::optional<DateReading> decode_date(const DigitReadings& readings, const std::string& earliest = "",
                                       const std::string& latest = "");

}  // namespace formscan
