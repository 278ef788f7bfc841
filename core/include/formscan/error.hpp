#pragma once
// Exceptions for broken configuration and programmer errors. Data problems (a faint
// tick, a smudged digit) are never exceptions: they are Issues and lower confidences.
#include <stdexcept>
#include <string>

namespace formscan {

// Carries a stable code such as "formscan.template.unknown_field"; what() reads
// "[formscan.template.unknown_field] message", so users can search for the code.
class Error : public std::runtime_error {
public:
    Error(std::string code, const std::string& message);
    const std::string& code() const noexcept { return code_; }

private:
    std::string code_;
};

}  // namespace formscan
