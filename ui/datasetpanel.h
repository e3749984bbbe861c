// DatasetPanel: the run's input: a file or folder (opened, dropped, recent or the bundled sample) or a
// generated table, its preview, and what a run does with malformed CSV rows.
#pragma once

#include "core/run/datasetsource.h"

#include <QGroupBox>

class QCheckBox;
class QLabel;
class QMimeData;
class QTableWidget;

namespace brigade {

class DatasetPanel : public QGroupBox
{
    Q_OBJECT

public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    void setDataset(const QString &path);
    QString dataset() const { return m_dataset; }
    // A generated table instead of a file (rows > 0); what "Generate…" sets.
    void setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed);
    bool hasGeneratedDataset() const { return m_generated.generatedRows > 0; }
    bool isEmpty() const { return m_dataset.isEmpty() && !hasGeneratedDataset(); }
    // The input a run reads: the file or the generated table, with the malformed-rows choice.
    DatasetSource source() const;
    // Sets the panel from a request's input (a file, a table, or nothing: the dataset stays).
    void setSource(const DatasetSource &source);
    BadRowPolicy onBadRow() const;

    QStringList recentFiles() const;
    // The datasets among dropped URLs: readable files, and the data files inside a dropped folder (a
    // folder that is itself a dataset, such as a folder of images, counts as one).
    static QStringList droppedDatasets(const QMimeData *mime);

public Q_SLOTS:
    void openDatasetDialog();
    void openFolderDialog();
    void selectSample();
    void openGenerateDialog();

Q_SIGNALS:
    void datasetChanged(const QString &path);
    void recentFilesChanged();

private:
    void rememberRecent(const QString &path);
    void showPreview(const QString &path);

    QString m_dataset;
    DatasetSource m_generated; // generatedRows > 0 while a generated table is the dataset
    QLabel *m_label = nullptr;
    QLabel *m_previewInfo = nullptr;
    QTableWidget *m_preview = nullptr;
    QCheckBox *m_skipBadRows = nullptr;
    int m_previewGeneration = 0; // drops previews that arrive after another dataset was chosen
};

} // namespace brigade
