"""The yardstick: a bare Flask page rendering a 50-row Jinja2 table, no database."""

from flask import Flask

app = Flask(__name__)

ROWS = [
    {"id": i, "title": f"Программа профориентационной работы № {i}",
     "municipality": f"Муниципальный округ {i}", "state": "Направлена в министерство",
     "submitted": "15.07.2022"}
    for i in range(50)
]

PAGE = """<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Очередь</title></head>
<body><table><thead><tr><th>№</th><th>Программа</th><th>Муниципалитет</th><th>Состояние</th>
<th>Направлена</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.id }}</td><td><a href="/p/{{ r.id }}">{{ r.title }}</a></td>
<td>{{ r.municipality }}</td><td>{{ r.state }}</td><td>{{ r.submitted }}</td></tr>{% endfor %}
</tbody></table></body></html>"""


# Compiled once, as Flask does with a template file (render_template_string would compile
# the source on every request and flatter everything compared with it).
TEMPLATE = app.jinja_env.from_string(PAGE)


@app.route("/")
def table():
    return TEMPLATE.render(rows=ROWS)
