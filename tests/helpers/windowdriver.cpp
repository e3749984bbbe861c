// Steps of the window tests (parameters, workers, Run) that report whether they worked.
#include "helpers/windowdriver.h"

#include "core/run/runstatus.h"
#include "ui/mainwindow.h"

#include <QAbstractItemModel>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace testhelpers {

namespace {

bool fail(const QString &why)
{
    qWarning("%s", qPrintable(why));
    return false;
}

} // namespace

bool prepareWindowTests()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings(u"Brigade"_s, u"Brigade"_s).clear();
    const QString worker = qEnvironmentVariable("BRIGADE_WORKER");
    if (!QFileInfo(worker).isExecutable())
        return fail(u"BRIGADE_WORKER must name the brigade-worker executable"_s);
    return true;
}

QPushButton *button(const MainWindow &window, const QString &name)
{
    return window.findChild<QPushButton *>(name);
}

QList<QProgressBar *> workerBars(const MainWindow &window)
{
    QList<QProgressBar *> bars;
    for (QProgressBar *bar : window.findChildren<QProgressBar *>())
        if (bar->objectName().startsWith(u"workerBar"_s))
            bars.append(bar);
    return bars;
}

bool setWorkers(const MainWindow &window, int workers)
{
    auto *spin = window.findChild<QSpinBox *>(u"workers"_s);
    if (!spin)
        return fail(u"no workers spin box"_s);
    spin->setValue(workers);
    if (spin->value() != workers)
        return fail(u"the workers spin box shows %1, not %2"_s.arg(spin->value()).arg(workers));
    return true;
}

bool typeParam(const MainWindow &window, const QString &name, const QString &text)
{
    auto *edit = window.findChild<QLineEdit *>(u"param-"_s + name);
    if (!edit)
        return fail(u"no line edit for "_s + name);
    edit->clear();
    QTest::keyClicks(edit, text);
    if (edit->text() != text)
        return fail(u"param-%1 shows \"%2\", not \"%3\""_s.arg(name, edit->text(), text));
    return true;
}

bool clickRunAndWait(MainWindow &window, RunOutcome *outcome, int timeoutMs)
{
    QPushButton *run = button(window, u"runButton"_s);
    if (!run)
        return fail(u"no Run button"_s);
    if (!run->isEnabled())
        return fail(u"Run is disabled: "_s + run->toolTip());
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    if (!window.currentRun())
        return fail(u"Run did not create a JobRun"_s);
    if (!finished.wait(timeoutMs))
        return fail(u"the run did not finish within %1 ms"_s.arg(timeoutMs));
    if (finished.size() != 1)
        return fail(u"runFinished came %1 times"_s.arg(finished.size()));
    *outcome = finished.first().first().value<RunOutcome>();
    return true;
}

bool runJobOn(MainWindow &window, const QString &job, const QString &path, RunOutcome *outcome,
              const QMap<QString, QString> &params)
{
    window.setDataset(path);
    window.selectJob(job);
    for (auto it = params.cbegin(); it != params.cend(); ++it)
        if (!typeParam(window, it.key(), it.value()))
            return false;
    if (!setWorkers(window, 2) || !clickRunAndWait(window, outcome))
        return false;
    if (outcome->failure)
        return fail(outcome->failure->describe());
    if (runStatusName(outcome->status) != u"ok"_s)
        return fail(u"the run ended "_s + runStatusName(outcome->status));
    return true;
}

QString writeResultsCsv(const QTemporaryDir &dir, int rows)
{
    const QString path = dir.filePath(u"xyz.csv"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("x,y,z,label\n");
    for (int i = 0; i < rows; ++i)
        file.write(QByteArray::number(i) + ',' + QByteArray::number(2 * i + 1) + ',' +
                   QByteArray::number((i * 7) % 11) + ",r" + QByteArray::number(i) + '\n');
    return path;
}

bool anyChildContains(const QAbstractItemModel *model, const QModelIndex &parent, const QString &needle)
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        for (int c = 0; c < model->columnCount(parent); ++c)
            if (model->index(row, c, parent).data().toString().contains(needle))
                return true;
        if (anyChildContains(model, model->index(row, 0, parent), needle))
            return true;
    }
    return false;
}

} // namespace testhelpers
