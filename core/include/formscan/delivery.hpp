#pragma once
// Delivery to the district registry: the idempotency key of a record, stable across
// retries and re-runs of the same scans, so the registry stores each person's row once.
#include "formscan/field.hpp"

#include <string>

namespace formscan {

// "b:" + 40 hex digits of SHA-256 over form, batch, page of the batch and row for a page
// with a printed code; "s:" + the same over form, the scan's file name (not its folder),
// page and row otherwise.
std::string delivery_key(const Record& record);

}  // namespace formscan
