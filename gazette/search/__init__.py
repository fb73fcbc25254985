"""Search: records from the site model, one normalisation, two engines.

Stages follow the data: `normalise` (folding, tokens, document numbers) → `records`
(what each document contributes) → `browser_index` (the browser's static index) and `whoosh_index` (the command-line index)
→ `indexing` (both at once, for `gazette build`) → `command` (`gazette search`, `gazette index`).
"""
