// The segment panel: segments a killed process left behind, shown and cleaned up.
#include "core/data/sharedarray.h"
#include "helpers/windowdriver.h"
#include "ui/mainwindow.h"
#include "ui/segmentpanel.h"

#include <QFile>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

class TestSegmentPanel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void segmentPanelShowsAndCleansUp();
};

void TestSegmentPanel::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

// The shared-memory panel lists a live segment with its attach count, and a crashed process's leftover,
// which its button removes (and only that one).
void TestSegmentPanel::segmentPanelShowsAndCleansUp()
{
    auto live = SharedArray::create(Dtype::Float64, 1000, 1);
    QVERIFY(live.ok());
    QProcess helper;
    helper.start(QStringLiteral(BRIGADE_HELPER_LEAVE_SEGMENT), {});
    QVERIFY(helper.waitForFinished(10000));
    const QString leftover = QString::fromLocal8Bit(helper.readAllStandardOutput()).trimmed();
    QVERIFY(QFile::exists(leftover));

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = window.findChild<SegmentPanel *>(u"segmentPanel"_s);
    QVERIFY(panel);
    window.findChild<QTabWidget *>(u"viewTabs"_s)->setCurrentWidget(panel);
    auto *table = panel->findChild<QTableWidget *>(u"segmentTable"_s);
    const auto rowOf = [table](const QString &key) {
        for (int row = 0; row < table->rowCount(); ++row)
            if (table->item(row, 0)->toolTip() == key)
                return row;
        return -1;
    };
    const int liveRow = rowOf(live->key());
    QVERIFY(liveRow >= 0);
    QCOMPARE(table->item(liveRow, 3)->text(), u"1"_s); // this process is attached
    QCOMPARE(table->item(liveRow, 4)->text(), u"live"_s);
    const int leftoverRow = rowOf(leftover);
    QVERIFY(leftoverRow >= 0);
    QVERIFY(table->item(leftoverRow, 4)->text().startsWith(u"leftover"_s));

    auto *cleanUp = panel->findChild<QPushButton *>(u"segmentCleanUp"_s);
    QVERIFY(cleanUp->isEnabled());
    QTest::mouseClick(cleanUp, Qt::LeftButton);
    QVERIFY(!QFile::exists(leftover));
    QCOMPARE(rowOf(leftover), -1);
    QVERIFY(rowOf(live->key()) >= 0); // never a live one's
}

QTEST_MAIN(TestSegmentPanel)
#include "tst_segmentpanel.moc"
