"""Storage: SQLAlchemy tables, migrations, repositories and ledger import."""

from storage.database import Database, open_database
from storage.demo_data import DemoCase, load_demo_data
from storage.ledger_import import ImportReport, LedgerFileError, Rejection, import_csv
from storage.uow import SqlUnitOfWork

__all__ = [
    "Database",
    "DemoCase",
    "ImportReport",
    "LedgerFileError",
    "Rejection",
    "SqlUnitOfWork",
    "import_csv",
    "load_demo_data",
    "open_database",
]
