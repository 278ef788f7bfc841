#include "formscan/logging.hpp"

#include "formscan/masking.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/StreamChannel.h>

#include <iostream>
#include <Poco/FormattingChannel.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>

namespace formscan {

namespace {

// Masks personal data in every message before it reaches the real channel.
class MaskingChannel : public Poco::Channel {
public:
    explicit MaskingChannel(Poco::AutoPtr<Poco::Channel> next) : next_(std::move(next)) {}
    void log(const Poco::Message& msg) override {
        Poco::Message masked(msg);
        masked.setText(mask_personal_data(msg.getText()));
        next_->log(masked);
    }

private:
    Poco::AutoPtr<Poco::Channel> next_;
};

}  // namespace

void setup_logging(const std::string& level) {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S %p %s: %t"));
    Poco::AutoPtr<Poco::Channel> console(new Poco::StreamChannel(std::cerr));
    Poco::AutoPtr<Poco::Channel> formatting(new Poco::FormattingChannel(formatter, console));
    Poco::AutoPtr<Poco::Channel> masking(new MaskingChannel(formatting));
    Poco::Logger::root().setChannel(masking);
    Poco::Logger::root().setLevel(level);
    Poco::Logger::setLevel("formscan", Poco::Logger::parseLevel(level));
}

Poco::Logger& logger(const std::string& name) { return Poco::Logger::get(name); }

}  // namespace formscan
