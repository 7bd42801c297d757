"""The index lifecycle: ingest items into the store and the index, publish segments,
rebuild the index from the store (entry points: ``ingester.ingest_items``,
``ingester.ingest_paths``, ``reindexer.reindex``; re-exported by ``indexer``).

``ingester`` cleans and analyses in worker processes and stores each article; ``publisher``
hands batches to workers that write them as segments and publishes finished ones;
``reindexer`` writes a new generation from the store's cached analysis and switches to it
(``indexer.generations``).
"""
