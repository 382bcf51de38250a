"""Background work. Kept free of imports so that `workers.analysis` loads without Celery."""
