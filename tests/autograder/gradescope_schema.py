"""Gradescope's results.json as a JSON Schema (gradescope_results.schema.json, written from its
autograder specification): validate(data) raises jsonschema.ValidationError for anything else."""

import json
from pathlib import Path

import jsonschema

SCHEMA = json.loads((Path(__file__).with_name("gradescope_results.schema.json")).read_text(encoding="utf-8"))
jsonschema.Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def validate(data) -> None:
    """Raise jsonschema.ValidationError unless data is a results.json Gradescope's specification allows."""
    VALIDATOR.validate(data)
