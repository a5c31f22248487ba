"""Placeholder: filled in by the programmes screens."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)
