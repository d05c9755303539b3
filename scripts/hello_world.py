"""The yardstick of scripts/bench_http.py: a bare Flask hello-world, served by gunicorn like the app."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello, World!"
