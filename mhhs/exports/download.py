"""Every file the app hands out goes through one helper: its type from its name, and saved under that name."""
import io

from flask import send_file


def download(data, filename, mimetype=None):
    """bytes as an attachment named filename (the type guessed from the name unless given)."""
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
