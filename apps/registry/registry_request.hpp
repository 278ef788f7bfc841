#pragma once
// The body of POST /v1/records (see openapi.yaml): a batch of records, each with its
// idempotency key. Parsing is separate from the server so that it can be fuzzed.
#include "formscan/field.hpp"

#include <string>
#include <vector>

namespace formscan::registry {

inline constexpr std::size_t kMaxBatch = 500;
inline constexpr std::size_t kMaxBody = 4 * 1024 * 1024;

struct BatchItem {
    std::string key;     // the idempotency key: 16 to 128 of [A-Za-z0-9._:-]
    std::string body;    // the record as sent (canonical JSON), what a reused key is compared with
    Record record;
};

// Throws formscan::Error registry.bad_request with the reason when the body is not a
// batch: not JSON, no "records" array, more than kMaxBatch, an item without a valid key
// or record, the same key twice.
std::vector<BatchItem> parse_batch(const std::string& body);

// Why a record cannot be stored ("" when it can): the district's rules a stored record
// must keep (a known form, a valid ID number whose birth date and sex agree, status ok).
std::string refusal(const Record& record);

}  // namespace formscan::registry
