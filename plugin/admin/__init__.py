"""Operating connections: one service function per operation, called by `passion connections …` and by
the admin HTTP API alike (plugin/api/admin.py), so the two never drift apart."""
