// placeholder until ingestion lands
