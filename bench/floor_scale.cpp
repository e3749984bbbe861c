// The floor for in-place x2: one process, one thread, an Eigen loop over 10,000,000 float64 in memory.
// Prints one JSON object: the median time of a pass and its bandwidth (bytes read + written per second).
// Usage: floor_scale [N] [REPETITIONS]
#include <Eigen/Core>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char *argv[])
{
    const Eigen::Index n = argc > 1 ? std::atoll(argv[1]) : 10'000'000;
    const int reps = argc > 2 ? std::atoi(argv[2]) : 11;
    Eigen::ArrayXd a = Eigen::ArrayXd::LinSpaced(n, 0.0, double(n - 1)); // pages touched before timing
    std::vector<double> seconds;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        a *= 2.0;
        const auto t1 = std::chrono::steady_clock::now();
        seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double bytes = 2.0 * double(n) * double(sizeof(double)); // each value read once and written once
    // The checksum keeps the compiler from dropping the passes.
    std::printf("{\"n\": %lld, \"reps\": %d, \"median_s\": %.9f, \"min_s\": %.9f, \"max_s\": %.9f, "
                "\"bandwidth_gbs\": %.4f, \"checksum\": %.6g}\n",
                static_cast<long long>(n), reps, median, seconds.front(), seconds.back(), bytes / median / 1e9,
                a(n - 1));
    return 0;
}
