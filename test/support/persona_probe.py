"""Runs a list of Iceberg actions as one principal with pyiceberg and reports, per action, whether it worked
and, if not, the error's type and message. Meant to run with no AWS_* variables and no ~/.aws.

Usage: python persona_probe.py '{"properties": {...load_catalog properties...}, "actions": [...]}'
  actions: {"op": "create", "table": [...]}, {"op": "append", "table": [...]}, {"op": "read", "table": [...]},
           {"op": "list_tables", "namespace": [...]}
"""

import json
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog

SCHEMA = pa.schema([("id", pa.int64()), ("item", pa.string())])
ROWS = pa.table({"id": [1, 2], "item": ["a", "b"]}, schema=SCHEMA)


def run(catalog, action):
    op = action["op"]
    if op == "create":
        table = catalog.create_table(tuple(action["table"]), schema=SCHEMA)
        table.append(ROWS)
        return {"rows": catalog.load_table(tuple(action["table"])).scan().to_arrow().num_rows}
    if op == "append":
        catalog.load_table(tuple(action["table"])).append(ROWS)
        return {}
    if op == "read":
        return {"rows": catalog.load_table(tuple(action["table"])).scan().to_arrow().num_rows}
    if op == "list_tables":
        return {"tables": [".".join(t) for t in catalog.list_tables(tuple(action["namespace"]))]}
    raise ValueError(op)


def main(request):
    properties = request["properties"]
    catalog = load_catalog(properties["warehouse"], **properties)
    results = []
    for action in request["actions"]:
        try:
            results.append({"ok": True, **run(catalog, action)})
        except Exception as error:  # the test asserts on the kind of refusal
            results.append({"ok": False, "error": type(error).__name__, "message": str(error)[:300]})
    return results


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
