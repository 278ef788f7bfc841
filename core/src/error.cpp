#include "formscan/error.hpp"

namespace formscan {

Error::Error(std::string code, const std::string& message)
    : std::runtime_error("[" + code + "] " + message), code_(std::move(code)) {}

}  // namespace formscan
