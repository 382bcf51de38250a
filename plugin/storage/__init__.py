"""Where the service keeps its state: models, migrations, the candidate pool, connections."""
