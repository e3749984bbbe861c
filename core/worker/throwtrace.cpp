#include "core/worker/throwtrace.h"

#define BOOST_STACKTRACE_LINK
#include <boost/stacktrace.hpp>

#include <QFile>

#include <atomic>
#include <csignal>
#include <cstring>
#include <cxxabi.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <optional>
#include <sys/wait.h>
#include <typeinfo>
#include <unistd.h>

using namespace Qt::StringLiterals;

extern char **environ;

namespace {

thread_local std::optional<boost::stacktrace::stacktrace> t_lastThrow;
std::atomic<qint64> g_crashTask{-1};
std::atomic<qint64> g_crashItem{-1}; // the item the job said it is on (TaskContext::atItem); -1: unknown
std::atomic<int> g_crashStage{0};
std::atomic<int> g_fatalSignal{0};
char g_selfExe[4096];

QString frameLine(int index, const boost::stacktrace::frame &frame)
{
    QString name = QString::fromStdString(frame.name());
    if (name.isEmpty())
        name = u"0x"_s + QString::number(reinterpret_cast<quintptr>(frame.address()), 16);
    QString line = u'#' + QString::number(index) + u' ' + name;
    const std::string file = frame.source_file();
    if (!file.empty())
        line += u" at "_s + QString::fromStdString(file) + u':' + QString::number(frame.source_line());
    return line;
}

QString symbolize(const boost::stacktrace::stacktrace &trace, std::size_t skip)
{
    QString text;
    int index = 0;
    for (std::size_t i = skip; i < trace.size(); ++i) {
        const QString line = frameLine(index++, trace[i]);
        text += line + u'\n';
        if (line.contains(u"#"_s + QString::number(index - 1) + u" main"_s))
            break;
    }
    return text;
}

// Async-signal-safe output helpers: no allocation, no locks.
void writeText(const char *text)
{
    [[maybe_unused]] auto r = ::write(2, text, std::strlen(text));
}

char *formatNumber(char *out, quint64 v, int base)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % quint64(base)];
        v /= quint64(base);
    } while (v);
    while (n)
        *out++ = digits[--n];
    *out = 0;
    return out;
}

void onAlarm(int)
{
    // The symbolizer took too long: die of the original signal anyway.
    const int sig = g_fatalSignal.load();
    ::signal(sig, SIG_DFL);
    ::raise(sig);
}

void onFatalSignal(int sig)
{
    g_fatalSignal.store(sig);
    const char *abbrev = ::sigabbrev_np(sig);
    char number[24];
    writeText(brigade::CrashMarker);
    writeText(" SIG");
    writeText(abbrev ? abbrev : "?");
    writeText(" in task ");
    const qint64 task = g_crashTask.load();
    if (task < 0)
        writeText("-1");
    else {
        formatNumber(number, quint64(task), 10);
        writeText(number);
    }
    if (const qint64 item = g_crashItem.load(); item >= 0 && task >= 0) {
        writeText(" item ");
        formatNumber(number, quint64(item), 10);
        writeText(number);
    }
    writeText(" at stage ");
    writeText(brigade::crashStageName(static_cast<brigade::CrashStage>(g_crashStage.load())));
    writeText("\n");

    void *frames[64];
    const int n = ::backtrace(frames, 64);
    ::backtrace_symbols_fd(frames, n, 2); // raw, in case the symbolizer cannot run

    // argv for `brigade-worker --symbolize PID ADDR...`, built in static storage.
    static char pidText[24];
    static char addressText[64][20];
    static char *argv[64 + 4];
    int argc = 0;
    argv[argc++] = g_selfExe;
    argv[argc++] = const_cast<char *>("--symbolize");
    formatNumber(pidText, quint64(::getpid()), 10);
    argv[argc++] = pidText;
    for (int i = 2; i < n; ++i) { // frames 0 and 1: this handler and the signal trampoline
        addressText[i][0] = '0';
        addressText[i][1] = 'x';
        formatNumber(addressText[i] + 2, quint64(reinterpret_cast<quintptr>(frames[i])), 16);
        argv[argc++] = addressText[i];
    }
    argv[argc] = nullptr;
    if (g_selfExe[0]) {
        struct sigaction onAlarmAction {
        };
        onAlarmAction.sa_handler = onAlarm;
        ::sigaction(SIGALRM, &onAlarmAction, nullptr);
        ::alarm(5);
        const pid_t child = ::fork();
        if (child == 0) {
            ::execve(g_selfExe, argv, environ);
            ::_exit(127);
        }
        if (child > 0) {
            int status = 0;
            while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    ::signal(sig, SIG_DFL);
    ::raise(sig); // die of the same signal, so the parent reports it truly
}

struct Mapping {
    quint64 start = 0;
    quint64 end = 0;
    quint64 offset = 0;
    QString path;
};

QList<Mapping> readMaps(const QString &file)
{
    QList<Mapping> maps;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return maps;
    // /proc files report a size of 0, so read until the end rather than asking atEnd().
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() < 6 || !parts[5].startsWith('/'))
            continue;
        const QList<QByteArray> range = parts[0].split('-');
        Mapping m;
        m.start = range.value(0).toULongLong(nullptr, 16);
        m.end = range.value(1).toULongLong(nullptr, 16);
        m.offset = parts[2].toULongLong(nullptr, 16);
        m.path = QString::fromLocal8Bit(parts.mid(5).join(' '));
        maps.append(m);
    }
    return maps;
}

// The load address of a module: where its file offset 0 is mapped.
std::optional<quint64> moduleBase(const QList<Mapping> &maps, const QString &path)
{
    std::optional<quint64> base;
    for (const Mapping &m : maps)
        if (m.path == path && (!base || m.start - m.offset < *base))
            base = m.start - m.offset;
    return base;
}

} // namespace

// Interposes the C++ runtime's throw to keep the stack of the throw site; about 2 µs a throw.
namespace __cxxabiv1 {
extern "C" void __cxa_throw(void *object, std::type_info *type, void (*destructor)(void *))
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
    // The trace starts where it was taken, inside __cxa_throw, or (when std::optional's emplace is not
    // inlined, as in unoptimised builds) a few frames deeper: it is shown from the frame that threw.
    std::size_t skip = 1;
    for (std::size_t i = 0; i < t_lastThrow->size() && i < 8; ++i)
        if (t_lastThrow->as_vector()[i].name() == "__cxa_throw") {
            skip = i + 1;
            break;
        }
    return symbolize(*t_lastThrow, skip);
}

void installCrashHandler()
{
    const ssize_t n = ::readlink("/proc/self/exe", g_selfExe, sizeof g_selfExe - 1);
    g_selfExe[n > 0 ? n : 0] = 0;
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
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND | SA_NODEFER;
    ::sigemptyset(&sa.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
        ::sigaction(sig, &sa, nullptr);
}

void setCrashContext(qint64 taskId, CrashStage stage)
{
    g_crashTask.store(taskId, std::memory_order_relaxed);
    g_crashItem.store(-1, std::memory_order_relaxed);
    g_crashStage.store(int(stage), std::memory_order_relaxed);
}

std::atomic<qint64> *crashItemMarker()
{
    return &g_crashItem;
}

int symbolizeForeignStack(qint64 pid, const QStringList &addresses)
{
    const QList<Mapping> theirs = readMaps(u"/proc/%1/maps"_s.arg(pid));
    const QList<Mapping> ours = readMaps(u"/proc/self/maps"_s);
    QByteArray out = QByteArray(SymbolizedBegin) + '\n';
    int index = 0;
    for (const QString &text : addresses) {
        const quint64 address =
            QStringView(text).mid(text.startsWith(u"0x"_s) ? 2 : 0).toULongLong(nullptr, 16);
        const auto hit = std::find_if(theirs.begin(), theirs.end(), [address](const Mapping &m) {
            return address >= m.start && address < m.end;
        });
        QString line;
        if (hit == theirs.end()) {
            line = u"#%1 0x%2"_s.arg(index).arg(address, 0, 16);
        } else {
            const quint64 relative = address - *moduleBase(theirs, hit->path);
            if (const auto localBase = moduleBase(ours, hit->path)) {
                // Frame 0 is where the fault struck; the others are return addresses, which point after
                // their call: look up the byte before them.
                const quint64 lookup = *localBase + relative - (index == 0 ? 0 : 1);
                const boost::stacktrace::frame frame(reinterpret_cast<const void *>(lookup));
                line = frameLine(index, frame);
            } else {
                line = u"#%1 %2+0x%3"_s.arg(index).arg(hit->path).arg(relative, 0, 16);
            }
        }
        out += line.toLocal8Bit() + '\n';
        ++index;
        if (line.contains(u" main at "_s) || line.endsWith(u" main"_s))
            break;
    }
    out += QByteArray(SymbolizedEnd) + '\n';
    [[maybe_unused]] auto r = ::write(2, out.constData(), size_t(out.size()));
    return 0;
}

} // namespace brigade
