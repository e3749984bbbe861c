// Fuzz target for the frame decoder: any byte stream yields messages or a protocol failure, never a
// crash, a hang or an unbounded allocation. Built as a libFuzzer binary with clang; with any compiler
// the same function is driven over the corpus by a CTest smoke run (fuzz_frames_corpus).
#include "core/protocol/framing.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // Feed in two pieces split at a point chosen by the first byte, as a pipe would deliver them.
    const std::size_t split = size > 0 ? data[0] % (size + 1) : 0;
    brigade::FrameReader reader(1 << 20);
    reader.append(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(split)));
    for (int round = 0; round < 2; ++round) {
        while (auto next = reader.next()) {
            if (!next->ok())
                return 0;
            // Re-encoding a decoded message must give a frame that decodes to the same message.
            brigade::FrameReader again;
            again.append(brigade::encodeFrame(next->value()));
            auto back = again.next();
            if (!back || !back->ok() || back->value().type != next->value().type ||
                back->value().body != next->value().body)
                __builtin_trap();
        }
        reader.append(QByteArrayView(reinterpret_cast<const char *>(data) + split, qsizetype(size - split)));
    }
    (void)reader.finish();
    return 0;
}
