"""Report exports: CSV and XLSX for every report, the official summary form, PNG charts.

* :mod:`.tables` — every report as one flat table with Vietnamese headers (CSV, data sheets);
* :mod:`.form` and :mod:`.workbook` — the annual report in the official summary form, printable;
* :mod:`.charts` — the poverty rate per unit against the target line.
"""

from infrastructure.exports.charts import CHART_SIZE_PX, png_size, rate_chart
from infrastructure.exports.form import FORM_COLUMNS, FORM_FIRST_ROW
from infrastructure.exports.tables import summary_table, table, to_csv, write_csv
from infrastructure.exports.workbook import to_xlsx

__all__ = [
    "CHART_SIZE_PX",
    "FORM_COLUMNS",
    "FORM_FIRST_ROW",
    "png_size",
    "rate_chart",
    "summary_table",
    "table",
    "to_csv",
    "to_xlsx",
    "write_csv",
]
