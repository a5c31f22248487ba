"""Placeholder: filled in by the review screens."""

from flask import Blueprint

bp = Blueprint("review", __name__)
