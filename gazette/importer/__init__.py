"""Bulk import: sources → drafts → archive files. Modules follow the data:

`sources` (find files, recognise their kind) → `scanned_issue` + `ocr` (scanned issues), `legacy` (saved
portal pages), `textcoll` (text and Markdown collections), all using `recognise` (metadata from
text) and `boilerplate` (portal furniture, pinyin, safe Markdown), with `manifest` (the archivist's CSV) →
`writer` (stable names, atomic writes, state) → `import_report`; `batch` runs it, `command` is the command.
"""
