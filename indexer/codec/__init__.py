"""The on-disk format: Whoosh-identical index segments and our postings sidecars
(entry points: ``segment_writer.write_segment`` / ``fast_writer`` to write,
``sidecar.Sidecar`` and ``whoosh_blocks.segment_blocks`` to read).

``segment_writer`` writes a segment in Whoosh's exact bytes; ``tokenfields`` turns a whole
segment's analysed text fields into postings with numpy, ``termwrite`` writes the small
keyword fields a term at a time; ``sidecar`` writes, merges and reads the flat per-term
arrays (docnums, frequencies, positions) beside each segment; ``whoosh_blocks`` reads
Whoosh's own posting blocks where no sidecar exists.
"""
