"""CSV downloads: streamed row by row, cells a spreadsheet would run as formulas neutralised, the file named."""
import csv
import io
from itertools import chain

from flask import Response, stream_with_context

# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that would be read as a formula gets a leading apostrophe; numbers and other text pass as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_download(header, rows, filename):
    """header: the column names; rows: an iterable of sequences, consumed while the response streams.
    Let rows be a generator that queries when first iterated: the view's own database session has ended by then."""
    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in chain([header], rows):
            writer.writerow([safe_cell(cell) for cell in row])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response
