"""The source article's formulas and worked examples, by name, reproducing its numbers; with the
corrections they need (the decode step's KV cache, ``kv_decode``) and the published measurements that
show how far below its bound real servers run (``measured``)."""
