"""Small exports in the shapes Meta Ads Manager and Google Ads write them, in English and in Dutch."""

from __future__ import annotations

import codecs

# Meta Ads Manager, English, broken down by month: UTF-8 with a byte-order mark, commas, the currency in the
# amount's header, English numbers.
META_EN = (
    "\ufeffReporting starts,Reporting ends,Campaign name,Campaign delivery,Results,Result indicator,"
    "Amount spent (EUR),Cost per result,Month\n"
    '2026-03-01,2026-03-31,Najaar 40+,inactive,23,actions:lead,"1,234.56",53.68,2026-03-01 - 2026-03-31\n'
    "2026-04-01,2026-04-30,Najaar 40+,active,19,actions:lead,987.10,51.95,2026-04-01 - 2026-04-30\n"
    "2026-04-01,2026-04-30,Sterk na je bevalling,active,12,actions:lead,450,37.50,2026-04-01 - 2026-04-30\n"
).encode()

# Meta Ads Manager, Dutch, one month: semicolons (a Dutch Excel's save), Dutch numbers, no Month column.
META_NL = (
    "Start rapportage;Einde rapportage;Campagnenaam;Weergave campagne;Resultaten;Besteed bedrag (EUR);"
    "Kosten per resultaat\n"
    "2026-03-01;2026-03-31;Najaar 40+;inactive;23;1.234,56;53,68\n"
    "2026-03-01;2026-03-31;Small group januari;inactive;8;€ 312,40;39,05\n"
    "2026-03-01;2026-04-30;Sterk na je bevalling;active;12;450,00;37,50\n"
).encode()

# Google Ads, English, "CSV (Excel)": UTF-16 with tabs, a title and a date range above the header, totals below.
GOOGLE_EN_TEXT = (
    "Campaign report\n"
    "March 1, 2026 - April 30, 2026\n"
    "Campaign status\tCampaign\tCampaign ID\tMonth\tCurrency code\tCost\tClicks\tImpr.\n"
    "Enabled\tPersonal trainer Utrecht\t20123456789\tMarch 2026\tEUR\t1,204.50\t230\t4,512\n"
    "Enabled\tPersonal trainer Utrecht\t20123456789\tApril 2026\tEUR\t980.00\t201\t3,980\n"
    "Paused\tSmall group training Utrecht\t20987654321\tApril 2026\tEUR\t410.25\t77\t1,203\n"
    "Total: Account\t--\t--\t--\tEUR\t2,594.75\t508\t9,695\n"
    "Total: Search\t--\t--\t--\tEUR\t2,594.75\t508\t9,695\n"
)
GOOGLE_EN = codecs.BOM_UTF16_LE + GOOGLE_EN_TEXT.encode("utf-16-le")

# Google Ads, Dutch, plain CSV by day: commas, Dutch numbers in quotes, "Totaal:" rows.
GOOGLE_NL = (
    b"Campagnerapport\n"
    b"1 maart 2026 - 31 maart 2026\n"
    b"Campagne,Campagne-ID,Dag,Valutacode,Kosten,Klikken\n"
    b'Personal trainer Utrecht,20123456789,2026-03-01,EUR,"12,50",3\n'
    b'Personal trainer Utrecht,20123456789,2026-03-02,EUR,"1.020,00",40\n'
    b'Small group training Utrecht,20987654321,2026-03-02,EUR,"7,25",1\n'
    b'Totaal: account,--,--,EUR,"1.039,75",44\n'
    b'Totaal: campagnes,--,--,EUR,"1.039,75",44\n'
)

# Google Ads without a date column: the date range line says the month.
GOOGLE_ONE_MONTH = (
    b"Campaign report\n"
    b'"May 1, 2026 - May 31, 2026"\n'
    b"Campaign,Currency code,Cost\n"
    b"Personal trainer Utrecht,EUR,640.00\n"
    b"Total: Account,EUR,640.00\n"
)
