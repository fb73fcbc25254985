"""Where the search indexes live, in the site and the cache: names the build needs without loading
either engine (the browser index's module and Whoosh are imported only in the children that build them)."""

INDEX_DIR = "search-index"
# What Gazette's Pagefind bundle left (before December 2026): its folder in the site, and in the
# cache the shard copies and scratch folders, which may hold documents withheld since.
LEGACY_OUTPUT = ("pagefind",)
LEGACY_CACHE = ("pagefind-shards", "pagefind-tmp")
LEGACY_TEMP_PREFIX = ".pagefind-"
