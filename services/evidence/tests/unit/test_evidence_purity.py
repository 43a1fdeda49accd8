import ast
from pathlib import Path

import pytest

import evidence.domain

pytestmark = pytest.mark.unit

FORBIDDEN = ("pymongo", "bson", "gridfs", "kombu", "pika", "flask", "flask_smorest", "requests")


def test_the_domain_imports_no_database_broker_or_web_library():
    for path in Path(evidence.domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
