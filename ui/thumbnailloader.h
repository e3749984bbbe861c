// ThumbnailLoader: reads images scaled down to thumbnails in a thread of its own, so that a folder of large
// images never stalls the window; results arrive as queued signals, each batch replacing the last.
#pragma once

#include <QImage>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>

class QThread;

namespace brigade {

class ThumbnailLoader : public QObject
{
    Q_OBJECT

public:
    explicit ThumbnailLoader(QObject *parent = nullptr);
    ~ThumbnailLoader() override; // abandons the batch and waits for the thread to end

    // Reads each file scaled to fit in `box`, in order; a running batch is abandoned.
    void load(const QStringList &paths, const QSize &box);
    void cancel();
    bool isLoading() const { return m_pending > 0; }

Q_SIGNALS:
    void thumbnailLoaded(int index, const QImage &image);
    void thumbnailFailed(int index, const QString &reason);
    void batchFinished();

private:
    QThread *m_thread = nullptr;
    QObject *m_context = nullptr; // lives in m_thread: the loading runs in its event loop
    std::shared_ptr<std::atomic<int>> m_generation = std::make_shared<std::atomic<int>>(0);
    int m_pending = 0;
};

} // namespace brigade
