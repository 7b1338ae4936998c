"""YouTube-ready outputs from a render: master, Short, thumbnail, captions, metadata; optional upload.

Modules: `master` (the one encode with YouTube's settings), `checks` (those settings verified on
the file), `metadata` (title, description, chapters, tags within limits), `thumbnail`, `shorts`,
`typeset` (text on images), `bundle` (media/<topic>/publish/), `youtube` (Data API v3 upload,
optional extra), `cli` (the `publish` command).
"""
