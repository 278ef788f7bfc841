#pragma once
// Logging goes through Poco::Logger ("formscan.stage.deskew", ...). setup_logging()
// installs a channel that masks personal data in every message before it is written.
#include <Poco/Logger.h>
#include <string>

namespace formscan {

// level: "error", "warning", "notice", "information", "debug". Logs go to stderr.
void setup_logging(const std::string& level);
Poco::Logger& logger(const std::string& name);

}  // namespace formscan
