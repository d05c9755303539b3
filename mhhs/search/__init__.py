"""One search box: RFCs, defects, outages, certificates and systems through the database's full-text index."""
