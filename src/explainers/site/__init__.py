"""The web site: a catalog and one keyboard-and-swipe player per topic, built from rendered manifests.

`build` makes media/site/ (web clips, posters, per-beat captions, pages from the templates);
`serve` is a small local static server for it. Templates and static files are package data.
"""
