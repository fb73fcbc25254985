"""Search: records from the site model, one normalisation, two engines.

Stages follow the data: `normalise` (folding, tokens, document numbers) → `records`
(what each document contributes) → `browser` (Pagefind bundle) and `cli_index` (Whoosh)
→ `build` (both at once, for `gazette build`) → `cli` (`gazette search`, `gazette index`).
"""
