#pragma once
// The synthesiser's dice: every random choice goes through the caller's generator, so
// a seed reproduces a batch exactly.
#include <random>
#include <vector>

namespace formscan::synth {

inline double uni(double lo, double hi, std::mt19937& rng) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
inline int randint(int lo, int hi, std::mt19937& rng) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
inline bool chance(double p, std::mt19937& rng) { return uni(0, 1, rng) < p; }
inline double gauss(double sd, std::mt19937& rng) { return std::normal_distribution<double>(0, sd)(rng); }
template <typename T>
const T& pick(const std::vector<T>& items, std::mt19937& rng) {
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

}  // namespace formscan::synth
