"""Writes a small Iceberg table through a Polaris catalog with pyiceberg, reads it back, and prints what a
user would check as JSON: the rows read back and which S3 key the table's FileIO used.

It is meant to run with no AWS_* variables and no ~/.aws, so the only S3 credentials it can have are those
Polaris vends. Usage: python iceberg_probe.py '<json request>'
    {"uri", "warehouse", "credential": "id:secret", "namespace": [..], "table"}
"""

import json
import sys

import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import ForbiddenError


def main(req):
    catalog = load_catalog(
        "probe",
        type="rest",
        uri=req["uri"],
        warehouse=req["warehouse"],
        credential=req["credential"],
        scope=req.get("scope", "PRINCIPAL_ROLE:ALL"),
        **{"header.X-Iceberg-Access-Delegation": "vended-credentials"},
    )
    identifier = (*req["namespace"], req["table"])
    schema = pa.schema([("id", pa.int64()), ("item", pa.string())])
    try:
        table = catalog.create_table(identifier, schema=schema)
    except ForbiddenError as refused:
        return {"forbidden": str(refused)[:200]}
    table.append(pa.table({"id": [1, 2, 3], "item": ["apple", "pear", "fig"]}, schema=schema))
    rows = catalog.load_table(identifier).scan().to_arrow().sort_by("id").to_pylist()
    io = table.io.properties
    key = io.get("s3.access-key-id", "")
    return {
        "rows": rows,
        "accessKeyPrefix": key[:4],
        "hasSessionToken": bool(io.get("s3.session-token")),
        "metadataLocation": table.metadata_location,
    }


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))))
