// libFuzzer target: the registry's request parsing (POST /v1/records bodies) and its
// record rules. Any input must end in a batch or a formscan::Error, never a crash.
#include "registry_request.hpp"

#include "formscan/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& item : formscan::registry::parse_batch(body)) (void)formscan::registry::refusal(item.record);
    } catch (const formscan::Error&) {
    }
    return 0;
}
