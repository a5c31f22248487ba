"""Placeholder: filled in by the letters screens."""

from flask import Blueprint

bp = Blueprint("letters", __name__)
