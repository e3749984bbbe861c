// The worker's main loop over a frame transport: frames in, frames out. The process's transport is its
// stdin and a private copy of stdout; a test or another host can hand it any pair of byte streams.
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace brigade {

// The byte streams the worker's frames travel on. read() is called from the worker's reader thread,
// write() from its main and flusher threads (never at once).
class FrameTransport
{
public:
    virtual ~FrameTransport() = default;
    // Blocks until some bytes arrive; 0 at the end of the input, negative when it broke.
    virtual qsizetype read(char *buffer, qsizetype size) = 0;
    // Writes every byte; false when the parent is gone.
    virtual bool write(QByteArrayView bytes) = 0;
};

// A transport over two file descriptors (read and write ends; EINTR retried).
class FdTransport final : public FrameTransport
{
public:
    FdTransport(int inFd, int outFd)
        : m_in(inFd)
        , m_out(outFd)
    {}
    qsizetype read(char *buffer, qsizetype size) override;
    bool write(QByteArrayView bytes) override;

private:
    int m_in;
    int m_out;
};

// Runs until Shutdown or end of input; returns the exit code. A write that fails (the parent is gone)
// ends the process with code 3.
int runWorker(FrameTransport &transport);

// The process's loop: installs the crash handler, speaks frames on stdin and a private copy of stdout,
// and sends stray writes to stdout by job code to stderr, so they can never corrupt the protocol stream.
int runWorker();

} // namespace brigade
