// brigade: the window by default; `brigade run ...` and the other commands run headless.
#include "cli.h"

#include "brigade/version.h"
#include "core/data/dataset.h"
#include "core/data/segmentregistry.h"

#ifdef BRIGADE_HAS_GUI
#include "core/data/images.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QFileInfo>
#else
#include <QCoreApplication>
#endif

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

#ifdef BRIGADE_HAS_GUI
constexpr bool HasWindow = true;
#else
constexpr bool HasWindow = false; // built with BRIGADE_BUILD_GUI=OFF: the CLI alone
#endif

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
           !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef BRIGADE_HAS_GUI
    brigade::registerImageFormats(); // image folders and image files: QtGui, which the worker never links
#endif
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);

    if (!HasWindow || brigade::isCliInvocation(args) || (!hasDisplay() && args.isEmpty())) {
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(u"Brigade"_s);
        QCoreApplication::setOrganizationName(u"Brigade"_s);
        if (args.isEmpty()) {
            std::fputs("brigade: no display; running the default job on the bundled sample headless\n",
                       stderr);
            args = brigade::defaultHeadlessJob();
        }
        return brigade::runCli(args);
    }

#ifdef BRIGADE_HAS_GUI
    QApplication app(argc, argv);
    QApplication::setApplicationName(u"Brigade"_s);
    QApplication::setOrganizationName(u"Brigade"_s);
    QApplication::setApplicationVersion(QLatin1StringView(BRIGADE_VERSION));
    brigade::SegmentRegistry::reclaimLeftovers();
    brigade::MainWindow window;
    const QString file = args.value(0);
    window.setDataset(file.isEmpty() ? QString::fromUtf16(brigade::BundledSampleDataset)
                                     : QFileInfo(file).absoluteFilePath());
    window.show();
    return QApplication::exec();
#endif
}
