#pragma once
// Idle database connections (or anything costly to open) kept for reuse by a server's
// request threads: a thread borrows one, uses it alone, and gives it back, or drops it
// when it may be broken. Thread-safe.
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace formscan {

template <class T>
class ConnectionPool {
public:
    explicit ConnectionPool(std::function<std::unique_ptr<T>()> open) : open_(std::move(open)) {}

    // An idle one, or a new one (which may throw, as opening it does).
    std::unique_ptr<T> borrow() {
        {
            std::lock_guard lock(mutex_);
            if (!idle_.empty()) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                return c;
            }
        }
        return open_();
    }

    void give_back(std::unique_ptr<T> connection) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(connection));
    }

private:
    std::function<std::unique_ptr<T>()> open_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<T>> idle_;
};

}  // namespace formscan
