"""The floor of the page benchmark: a bare Flask + Jinja app rendering 20 listing cards from memory.

No database, no session, no extension: what a page costs when it does nothing but render a template
of the size of a Timebank list page. Served by the same gunicorn as the real app in the same run.
"""
from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

CARDS = [{"id": n, "title": f"Aide aux devoirs de maths {n}", "name": "Amina Diallo", "area": "Les Tilleuls",
          "languages": ["fr", "ar"], "minutes": 90, "type": "offer" if n % 2 else "request"} for n in range(1, 21)]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Offers and requests</title><link rel="stylesheet" href="/static/app.css"></head>
<body><header><nav><a href="/">Home</a> <a href="/listings">Offers and requests</a> <a href="/me/hours">My hours</a>
<a href="/messages">Messages</a></nav></header>
<main><h1>Offers and requests</h1>
<ul class="cards">{% for card in cards %}
<li class="card card-{{ card.type }}"><a href="/listings/{{ card.id }}">
<h2 dir="auto">{{ card.title }}</h2>
<p><bdi>{{ card.name }}</bdi> · {{ card.area }} · {{ card.languages|join(", ") }}</p>
<p>{{ card.minutes // 60 }} h {{ "%02d"|format(card.minutes % 60) }}</p></a></li>{% endfor %}
</ul></main></body></html>"""

app = Flask(__name__)
app.jinja_loader = DictLoader({"floor.html": PAGE})  # compiled once and cached, like the app's templates


@app.get("/")
def floor():
    return render_template("floor.html", cards=CARDS)
