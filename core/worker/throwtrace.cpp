#include "core/worker/throwtrace.h"

#define BOOST_STACKTRACE_LINK
#include <boost/stacktrace.hpp>

#include <atomic>
#include <csignal>
#include <cstring>
#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <optional>
#include <typeinfo>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

thread_local std::optional<boost::stacktrace::stacktrace> t_lastThrow;
std::atomic<qint64> g_crashTask{-1};

QString symbolize(const boost::stacktrace::stacktrace &trace, std::size_t skip)
{
    QString text;
    int index = 0;
    for (std::size_t i = skip; i < trace.size(); ++i) {
        const auto &frame = trace[i];
        QString name = QString::fromStdString(frame.name());
        if (name.isEmpty())
            name = u"0x"_s + QString::number(reinterpret_cast<quintptr>(frame.address()), 16);
        text += u'#' + QString::number(index++) + u' ' + name;
        const std::string file = frame.source_file();
        if (!file.empty())
            text += u" at "_s + QString::fromStdString(file) + u':' + QString::number(frame.source_line());
        text += u'\n';
        if (name == u"main"_s)
            break;
    }
    return text;
}

// Writes a small decimal number without allocating: async-signal-safe.
void writeNumber(int fd, qint64 n)
{
    char buf[24];
    int i = sizeof buf;
    const bool negative = n < 0;
    quint64 v = negative ? quint64(-n) : quint64(n);
    do {
        buf[--i] = char('0' + v % 10);
        v /= 10;
    } while (v && i > 1);
    if (negative)
        buf[--i] = '-';
    [[maybe_unused]] auto r = ::write(fd, buf + i, sizeof buf - i);
}

void writeText(int fd, const char *text)
{
    [[maybe_unused]] auto r = ::write(fd, text, std::strlen(text));
}

void onFatalSignal(int sig)
{
    writeText(2, "brigade-worker: fatal signal ");
    writeText(2, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
    writeText(2, " in task ");
    writeNumber(2, g_crashTask.load());
    writeText(2, "\nbrigade-worker: backtrace follows\n");
    void *frames[64];
    const int n = ::backtrace(frames, 64);
    ::backtrace_symbols_fd(frames, n, 2);
    ::signal(sig, SIG_DFL);
    ::raise(sig); // die of the same signal, so the parent reports it truly
}

} // namespace

// Interposes the C++ runtime's throw to keep the stack of the throw site; about 2 µs a throw.
namespace __cxxabiv1 {
extern "C" [[noreturn]] void __cxa_throw(void *object, std::type_info *type, void (*destructor)(void *))
{
    t_lastThrow.emplace();
    using Real = void (*)(void *, std::type_info *, void (*)(void *));
    static const Real real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "__cxa_throw"));
    real(object, type, destructor);
    __builtin_unreachable();
}
} // namespace __cxxabiv1

namespace brigade {

QString lastThrowTrace()
{
    if (!t_lastThrow)
        return {};
    return symbolize(*t_lastThrow, 1); // frame 0 is __cxa_throw itself
}

QString currentStackTrace(int skipFrames)
{
    return symbolize(boost::stacktrace::stacktrace(), std::size_t(skipFrames) + 1);
}

void installCrashHandler()
{
    static char alternateStack[64 * 1024];
    stack_t ss{};
    ss.ss_sp = alternateStack;
    ss.ss_size = sizeof alternateStack;
    ::sigaltstack(&ss, nullptr);
    void *warm[1];
    ::backtrace(warm, 1); // loads libgcc now, not inside the handler
    struct sigaction sa {
    };
    sa.sa_handler = onFatalSignal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    ::sigemptyset(&sa.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
        ::sigaction(sig, &sa, nullptr);
}

void setCrashContextTask(qint64 taskId)
{
    g_crashTask.store(taskId);
}

} // namespace brigade
