"""Alembic migrations of the store, packaged so ``Database.migrate()`` finds them at runtime."""
