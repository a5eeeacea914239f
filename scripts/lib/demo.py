"""The platform in use, with vended credentials only: the engineer writes a small table into demo.gold with
pyiceberg, then the analyst reads it with DuckDB through ATTACH. Reads the stack's engine outputs as JSON on
stdin. Runs with no AWS_* variables and no ~/.aws (scripts/demo makes sure of that).
"""

import glob
import json
import os
import sys

import duckdb
import pyarrow as pa
from pyiceberg.catalog import load_catalog
from pyiceberg.exceptions import NoSuchTableError

engines = json.load(sys.stdin)
table_name = os.environ.get("DEMO_TABLE", "orders")

# The engineer writes.
engineer = engines["engineer"]["pyiceberg"]
catalog = load_catalog(engineer["warehouse"], **engineer)
identifier = ("demo", "gold", table_name)
schema = pa.schema([("id", pa.int64()), ("item", pa.string()), ("qty", pa.int32())])
rows = pa.table({"id": [1, 2, 3], "item": ["apple", "pear", "fig"], "qty": pa.array([5, 7, 9], pa.int32())}, schema=schema)
# A second demo overwrites the table: the engineer may write in demo.gold but not drop tables.
try:
    table = catalog.load_table(identifier)
    table.overwrite(rows)
except NoSuchTableError:
    table = catalog.create_table(identifier, schema=schema)
    table.append(rows)
key = table.io.properties.get("s3.access-key-id", "")
print(f"engineer: wrote demo.gold.{table_name} (3 rows) with vended key {key[:4]}... ({'STS session' if key.startswith('ASIA') else 'not vended'})")

# The analyst reads, with DuckDB's extensions loaded from their PyPI packages: nothing is downloaded.
site = os.path.dirname(os.path.dirname(duckdb.__file__))
connection = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
for extension in ("httpfs", "avro", "iceberg"):
    path = glob.glob(os.path.join(site, f"duckdb_extension_{extension}", "extensions", "*", f"{extension}.duckdb_extension"))[0]
    connection.execute(f"LOAD '{path}'")
connection.execute(engines["analyst"]["duckdbAttach"])
rows = connection.execute(f'SELECT id, item, qty FROM polaris_catalog."demo.gold".{table_name} ORDER BY id').fetchall()
print(f"analyst:  read {len(rows)} rows from polaris_catalog.\"demo.gold\".{table_name} with DuckDB: {rows}")
print(json.dumps({"accessKeyPrefix": key[:4], "rows": rows}))
