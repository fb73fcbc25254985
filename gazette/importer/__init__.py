"""Bulk import: sources → drafts → archive files. Modules follow the data:

`sources` (find files, recognise their kind) → `pdf` + `ocr` (scanned issues), `legacy` (saved
portal pages), `textcoll` (text and Markdown collections), all using `recognise` (metadata from
text) and `clean` (noise, pinyin, safe Markdown), with `manifest` (the archivist's CSV) →
`writer` (stable names, atomic writes, state) → `report`; `batch` runs it, `cli` is the command.
"""
