// ResultView's Save As: the formats a result offers, the non-blocking dialog, and the store's writer (the
// same as --output's, core/store/writers.h).
#include "ui/resultview.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

QString filterOf(OutputFormat format)
{
    switch (format) {
    case OutputFormat::Csv:
        return ResultView::tr("CSV table (*.csv)");
    case OutputFormat::Json:
        return ResultView::tr("JSON (*.json)");
    case OutputFormat::Npy:
        return ResultView::tr("NumPy array (*.npy)");
    case OutputFormat::Text:
        return ResultView::tr("Text (*.txt)");
    }
    return {};
}

} // namespace

QList<OutputFormat> ResultView::saveFormats() const
{
    return resultFormats(m_result);
}

Result<void> ResultView::saveAs(const QString &path)
{
    auto written = writeResult(path, m_result);
    if (!written) {
        m_saveStatus->setText(tr("Not saved"));
        return written;
    }
    m_saveStatus->setText(tr("Saved to %1").arg(QDir::toNativeSeparators(path)));
    QSettings(u"Brigade"_s, u"Brigade"_s)
        .setValue(u"results/lastDirectory"_s, QFileInfo(path).absolutePath());
    Q_EMIT saved(path);
    return {};
}

void ResultView::chooseSaveFile()
{
    const QList<OutputFormat> formats = saveFormats();
    if (formats.isEmpty())
        return;
    QStringList filters;
    for (OutputFormat format : formats)
        filters << filterOf(format);
    const QString directory =
        QSettings(u"Brigade"_s, u"Brigade"_s).value(u"results/lastDirectory"_s, QDir::homePath()).toString();
    auto *dialog = new QFileDialog(this, tr("Save Result"), directory);
    dialog->setObjectName(u"resultSaveDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setFileMode(QFileDialog::AnyFile);
    dialog->setNameFilters(filters);
    dialog->setDefaultSuffix(outputFormatName(formats.first()).mid(1));
    dialog->selectFile(u"result"_s + outputFormatName(formats.first()));
    // The extension picks the format: a name without one takes the chosen filter's.
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog, formats, filters](const QString &filter) {
        const qsizetype i = filters.indexOf(filter);
        if (i >= 0)
            dialog->setDefaultSuffix(outputFormatName(formats[i]).mid(1));
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        if (auto written = saveAs(path); !written) {
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Result not saved"),
                                        written.failure().describe(), QMessageBox::Ok, this);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        }
    });
    dialog->open();
}

} // namespace brigade
